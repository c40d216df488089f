# libFuzzer targets (issue 7; fuzz/README.md). Included from CMakeLists.txt only when
# -DLATCHKEY_FUZZ=ON, in a build directory of its own configured with clang++ (Debian 12:
# clang 14 and libclang-rt-14-dev, which ships libclang_rt.fuzzer). scripts/fuzz.sh drives it.
#
# latchkey_fuzz_core: the library sources the targets reach, compiled with ASan + UBSan and
# libFuzzer's coverage instrumentation (-fsanitize=fuzzer-no-link). Left out on purpose:
# http/server.cpp (the Beast connection loop: the HTTP target parses with Beast itself, and that
# one translation unit alone takes ~1.5 GB and minutes to compile), TLS, the PostgreSQL store
# (the targets run on SQLite in a temporary directory, no server to reach) and app/ (the
# composition root; the targets compose the same services themselves).
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "LATCHKEY_FUZZ needs clang++ (-DCMAKE_CXX_COMPILER=clang++); "
                      "scripts/fuzz.sh configures it")
endif()

# Every sanitizer finding aborts (no recovery), so libFuzzer records it as a crash.
set(LATCHKEY_FUZZ_SANITIZE -fsanitize=address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)

add_library(latchkey_fuzz_core STATIC
  src/base/errc.cpp
  src/base/time_format.cpp
  src/base/utf8.cpp
  src/crypto/encoding.cpp
  src/crypto/random.cpp
  src/crypto/hmac_sha256.cpp
  src/crypto/keyring.cpp
  src/crypto/password_hasher.cpp
  src/identity/validation.cpp
  src/identity/password_policy.cpp
  src/audit/auth_event.cpp
  src/audit/audit_log.cpp
  src/throttle/throttle.cpp
  src/session/session_token.cpp
  src/session/csrf.cpp
  src/session/session_cache.cpp
  src/session/touch_batcher.cpp
  src/store/sqlite/connection.cpp
  src/store/sqlite/migrations.cpp
  src/store/sqlite/sqlite_errors.cpp
  src/store/sqlite/sqlite_store.cpp
  src/store/sqlite/sqlite_security_store.cpp
  src/store/sqlite/sqlite_database.cpp
  src/store/caching_store.cpp
  src/flows/session_issuer.cpp
  src/flows/auth_service.cpp
  src/flows/account_service.cpp
  src/flows/session_service.cpp
  src/http/cookies.cpp
  src/http/error_mapping.cpp
  src/http/json_body.cpp
  src/http/router.cpp
  src/http/security_headers.cpp
  src/http/origin_policy.cpp
  src/http/trusted_proxies.cpp
  src/http/static_files.cpp
  src/web/page.cpp
  src/api/session_cookies.cpp
  src/api/auth_api.cpp
  src/api/account_api.cpp
  src/api/sessions_api.cpp
  src/api/page_api.cpp
  src/api/health_api.cpp
  src/api/routes.cpp
)
target_include_directories(latchkey_fuzz_core PUBLIC src fuzz)
target_compile_definitions(latchkey_fuzz_core PUBLIC BOOST_ASIO_NO_DEPRECATED)
target_compile_options(latchkey_fuzz_core PRIVATE -fsanitize=fuzzer-no-link)
target_compile_options(latchkey_fuzz_core PUBLIC ${LATCHKEY_FUZZ_SANITIZE})
target_link_options(latchkey_fuzz_core PUBLIC ${LATCHKEY_FUZZ_SANITIZE})
target_link_libraries(latchkey_fuzz_core PUBLIC
  Boost::json Boost::url PkgConfig::SODIUM PkgConfig::XCRYPT SQLite::SQLite3
  spdlog::spdlog Threads::Threads OpenSSL::Crypto)

# What the targets share: a fixed keyring, the composed services on a temporary SQLite store.
add_library(latchkey_fuzz_support STATIC
  fuzz/support/fuzz_keys.cpp
  fuzz/support/fuzz_app.cpp
)
target_compile_options(latchkey_fuzz_support PRIVATE -fsanitize=fuzzer-no-link)
target_link_libraries(latchkey_fuzz_support PUBLIC latchkey_fuzz_core)

set(LATCHKEY_FUZZ_TARGETS fuzz_cookies fuzz_csrf fuzz_json_bodies fuzz_http_request)
foreach(target IN LISTS LATCHKEY_FUZZ_TARGETS)
  add_executable(${target} fuzz/${target}.cpp)
  target_compile_options(${target} PRIVATE -fsanitize=fuzzer)
  target_link_options(${target} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(${target} PRIVATE latchkey_fuzz_support)
endforeach()
add_custom_target(fuzz_targets DEPENDS ${LATCHKEY_FUZZ_TARGETS})
