# libFuzzer targets (issue 7; fuzz/README.md). Included from CMakeLists.txt only when
# -DLATCHKEY_FUZZ=ON, in a build directory of its own configured with clang++ (Debian 12:
# clang 14 and libclang-rt-14-dev, which ships libclang_rt.fuzzer). scripts/fuzz.sh drives it.
#
# latchkey_fuzz_core: the library sources the targets reach, compiled with ASan + UBSan and
# libFuzzer's coverage instrumentation (-fsanitize=fuzzer-no-link). Kept in: the message
# translation (http/transport/message.cpp), which the HTTP target calls. Left out on purpose:
# http/server.cpp and the rest of http/transport/ (the listeners, the connection loop and its
# writes, the pools: the HTTP target parses with Beast's parser itself, in memory, and the
# Beast units of the loop take ~1 GB and minutes each to compile), TLS, the PostgreSQL store
# (the targets run on SQLite in a temporary directory, no server to reach) and app/ but for
# the composition root (app/node.cpp), which builds the targets' services as it builds serve's.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "LATCHKEY_FUZZ needs clang++ (-DCMAKE_CXX_COMPILER=clang++); "
                      "scripts/fuzz.sh configures it")
endif()

# Every sanitizer finding aborts (no recovery), so libFuzzer records it as a crash.
set(LATCHKEY_FUZZ_SANITIZE -fsanitize=address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)

# Every layer's sources (cmake/Layers.cmake) less what is left out above.
set(latchkey_fuzz_sources ${LATCHKEY_SOURCES})
list(FILTER latchkey_fuzz_sources EXCLUDE REGEX
  "(^|/)src/(http/(server|tls_context|https_redirect|transport/(answer|connection|forward|io_threads|listener|side_listeners|upstream_pool|worker_pools))\\.cpp|store/postgres/.*|store/open_database\\.cpp|app/.*)$")
list(APPEND latchkey_fuzz_sources "${CMAKE_SOURCE_DIR}/src/app/node.cpp")
add_library(latchkey_fuzz_core STATIC ${latchkey_fuzz_sources})
target_include_directories(latchkey_fuzz_core PUBLIC src fuzz)
target_compile_definitions(latchkey_fuzz_core PUBLIC BOOST_ASIO_NO_DEPRECATED)
target_compile_options(latchkey_fuzz_core PRIVATE -fsanitize=fuzzer-no-link)
target_compile_options(latchkey_fuzz_core PUBLIC ${LATCHKEY_FUZZ_SANITIZE})
target_link_options(latchkey_fuzz_core PUBLIC ${LATCHKEY_FUZZ_SANITIZE})
# The same libraries as the layers (the PostgreSQL and TLS ones are linked but unused).
target_link_libraries(latchkey_fuzz_core PUBLIC ${LATCHKEY_LIBRARIES})

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
