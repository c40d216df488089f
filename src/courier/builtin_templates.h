// The mail templates shipped in templates/mail/, compiled into the binary (CMake generates
// the definition with cmake/EmbedMailTemplates.cmake), so that a running server can never
// miss one: file name ("verify_email.txt.mustache") -> content. Operators override a kind
// with --mail-templates DIR (courier/mail_templates.h).
// Thread-safety: immutable.
#pragma once

#include <map>
#include <string_view>

namespace latchkey::courier {

const std::map<std::string_view, std::string_view>& BuiltinTemplates();

}  // namespace latchkey::courier
