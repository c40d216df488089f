# Sanitizer builds (issue 7), used by scripts/sanitize.sh in its own build dirs (build-asan/,
# build-tsan/). Inactive unless LATCHKEY_SANITIZE is set, so the normal build is unchanged.
#   -DLATCHKEY_SANITIZE=address  AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer)
#   -DLATCHKEY_SANITIZE=thread   ThreadSanitizer
# Every finding aborts (-fno-sanitize-recover=all): a report cannot scroll past as a warning.
# -O1 keeps the instrumented binaries fast enough for the API suite while leaving stack traces
# readable; frame pointers give the sanitizers' unwinder full stacks.
set(LATCHKEY_SANITIZE "" CACHE STRING "Sanitizer build: empty (none), address or thread")
set_property(CACHE LATCHKEY_SANITIZE PROPERTY STRINGS "" address thread)

if(LATCHKEY_SANITIZE STREQUAL "")
  return()
endif()

if(LATCHKEY_SANITIZE STREQUAL "address")
  # UBSan's vptr check needs RTTI, which the build keeps on; it catches calls through a
  # destroyed or wrongly cast object.
  set(_latchkey_sanitize_flags -fsanitize=address,undefined)
elseif(LATCHKEY_SANITIZE STREQUAL "thread")
  set(_latchkey_sanitize_flags -fsanitize=thread)
  # GCC 12's -Wtsan flags std::atomic_thread_fence, which TSan does not model, in Boost.Asio's
  # headers (detail/atomic_count.hpp, std_fenced_block.hpp), included by src/http/server.cpp
  # and src/http/transport/ only, which the thread lane does not even build (below); this keeps a full build of
  # build-tsan possible. A fence-based race there would show at run time, not be hidden.
  add_compile_options(-Wno-tsan)
else()
  message(FATAL_ERROR "LATCHKEY_SANITIZE must be empty, address or thread (got '${LATCHKEY_SANITIZE}')")
endif()

list(APPEND _latchkey_sanitize_flags -fno-sanitize-recover=all -fno-omit-frame-pointer)
add_compile_options(${_latchkey_sanitize_flags} -O1 -g)
# The instrumentation changes what GCC's flow analysis sees: at -O1 with -fsanitize=address it
# reports -Wmaybe-uninitialized on moves of boost::system::result<T, Error> (inside libstdc++'s
# std::string, src/flows/auth_service.cpp) that the normal build, where the warning stays an
# error, does not. GCC's manual warns that this diagnostic has false positives that depend on
# optimisation; the sanitizers check the real thing at run time.
add_compile_options(-Wno-maybe-uninitialized)
add_link_options(${_latchkey_sanitize_flags})

# The thread lane runs unit tests only, and none of them drives the Beast server, whose
# translation units (src/http/server.cpp, src/http/transport/) take minutes to compile
# instrumented: the unit tests
# link a copy of latchkey_core without it. A unit test that starts needing it fails to link
# here (loudly) rather than drifting.
if(LATCHKEY_SANITIZE STREQUAL "thread")
  function(_latchkey_sanitize_unit_core)
    # Every layer's sources in one library (cmake/Layers.cmake), less the Beast units.
    set(sources ${LATCHKEY_SOURCES})
    list(FILTER sources EXCLUDE REGEX "(^|/)src/http/(server|transport/[a-z_]+)\\.cpp$")
    add_library(latchkey_core_unit STATIC ${sources})
    target_include_directories(latchkey_core_unit PUBLIC "${CMAKE_SOURCE_DIR}/src")
    target_compile_definitions(latchkey_core_unit PUBLIC BOOST_ASIO_NO_DEPRECATED)
    target_link_libraries(latchkey_core_unit PUBLIC ${LATCHKEY_LIBRARIES})
    get_target_property(libraries latchkey_unit_tests LINK_LIBRARIES)
    list(TRANSFORM libraries REPLACE "^latchkey_core$" latchkey_core_unit)
    set_property(TARGET latchkey_unit_tests PROPERTY LINK_LIBRARIES "${libraries}")
  endfunction()
  cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _latchkey_sanitize_unit_core)
endif()

# UBSan's reports ignore log_path in this build: GCC links libubsan.so beside libasan.so, and
# UBSan's call to __sanitizer_set_report_path binds to libasan's copy, so its own report file
# stays stderr. tests/support/server.mjs keeps each server's stderr without checking it, so
# the API suite starts its servers through scripts/sanitize.sh (LATCHKEY_SANITIZE_EXEC: it
# execs the real binary, same pid, with stderr also copied to $LATCHKEY_SANITIZER_LOGS), and
# `scripts/sanitize.sh address` fails on any report in those copies. Deferred: api_tests is
# defined after this file is included.
if(LATCHKEY_SANITIZE STREQUAL "address")
  function(_latchkey_sanitize_api_servers)
    set_property(TEST api_tests APPEND PROPERTY ENVIRONMENT
      "LATCHKEY_BIN=${CMAKE_SOURCE_DIR}/scripts/sanitize.sh"
      "LATCHKEY_SANITIZE_EXEC=$<TARGET_FILE:latchkey>")
  endfunction()
  cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _latchkey_sanitize_api_servers)
endif()

message(STATUS "latchkey: sanitizer build (${LATCHKEY_SANITIZE}): ${_latchkey_sanitize_flags}")
