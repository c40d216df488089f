# Layers as libraries (docs/ARCHITECTURE.md). latchkey_layer(NAME USES <layers> LIBS <libs>)
# makes latchkey_NAME, a static library of every .cpp under src/NAME/, linked to the layers it
# USES (the only ones it may include: tests/layers checks every #include against this list, and
# the link fails when a layer calls into one it does not use) and to outside LIBS. Every
# source also goes to LATCHKEY_SOURCES and every outside library to LATCHKEY_LIBRARIES, for the
# sanitizer and fuzz builds that compile them their own way. ${CMAKE_BINARY_DIR}/layers.txt
# lists "name: uses..." for the check.
set(LATCHKEY_SOURCES "")
set(LATCHKEY_LIBRARIES "")
set(LATCHKEY_LAYER_LINES "")

macro(latchkey_layer name)
  cmake_parse_arguments(_layer "" "" "USES;LIBS" ${ARGN})
  file(GLOB_RECURSE _layer_sources CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/src/${name}/*.cpp")
  add_library(latchkey_${name} STATIC ${_layer_sources})
  target_include_directories(latchkey_${name} PUBLIC "${CMAKE_SOURCE_DIR}/src")
  target_compile_definitions(latchkey_${name} PUBLIC BOOST_ASIO_NO_DEPRECATED)
  foreach(_used IN LISTS _layer_USES)
    target_link_libraries(latchkey_${name} PUBLIC latchkey_${_used})
  endforeach()
  if(_layer_LIBS)
    target_link_libraries(latchkey_${name} PUBLIC ${_layer_LIBS})
  endif()
  list(APPEND LATCHKEY_SOURCES ${_layer_sources})
  list(APPEND LATCHKEY_LIBRARIES ${_layer_LIBS})
  string(REPLACE ";" " " _layer_uses "${_layer_USES}")
  string(APPEND LATCHKEY_LAYER_LINES "${name}: ${_layer_uses}\n")
endmacro()
