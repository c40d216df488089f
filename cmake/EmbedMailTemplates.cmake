# cmake -DDIR=<templates/mail> -DOUT=<file.cpp> -P EmbedMailTemplates.cmake
# Writes courier::BuiltinTemplates() (src/courier/builtin_templates.h): every *.mustache file of
# DIR by name, as bytes (hex: no file content can end a literal early).
file(GLOB files RELATIVE "${DIR}" "${DIR}/*.mustache")
list(SORT files)
set(arrays "")
set(entries "")
set(i 0)
foreach(name IN LISTS files)
  file(READ "${DIR}/${name}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND arrays "constexpr char kFile${i}[] = {${bytes} 0};\n")
  string(APPEND entries "      {\"${name}\", std::string_view(kFile${i}, ${size})},\n")
  math(EXPR i "${i} + 1")
endforeach()
set(text "// Generated from templates/mail by cmake/EmbedMailTemplates.cmake: do not edit.
#include \"courier/builtin_templates.h\"

namespace latchkey::courier {
namespace {
${arrays}}  // namespace

const std::map<std::string_view, std::string_view>& BuiltinTemplates() {
  static const std::map<std::string_view, std::string_view> kAll = {
${entries}  };
  return kAll;
}

}  // namespace latchkey::courier
")
# Rewritten only when it changed: no rebuild for an unchanged set.
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
  if(old STREQUAL text)
    return()
  endif()
endif()
file(WRITE "${OUT}" "${text}")
