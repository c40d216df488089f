#include "courier/mail_templates.h"

#include <kainjow/mustache.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "courier/builtin_templates.h"

namespace latchkey::courier {
namespace {

constexpr std::string_view kSuffix = ".mustache";
constexpr std::string_view kParts[] = {".subject", ".txt", ".html"};

std::string ReadFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read mail template " + file.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Parses to check; throws naming the template.
void Check(const std::string& name, const std::string& text) {
  kainjow::mustache::mustache tmpl(text);
  if (!tmpl.is_valid()) {
    throw std::runtime_error("mail template " + name + " does not parse: " + tmpl.error_message());
  }
}

std::string RenderPart(const std::string& text, const kainjow::mustache::data& data, bool html) {
  kainjow::mustache::mustache tmpl(text);
  if (!html) tmpl.set_custom_escape([](const std::string& s) { return s; });
  return tmpl.render(data);
}

std::string Trim(std::string s) {
  const char* space = " \t\r\n";
  auto first = s.find_first_not_of(space);
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(space) - first + 1);
}

}  // namespace

MailTemplates::MailTemplates(const std::filesystem::path& override_dir) {
  // The built-in sets: "<kind><part>.mustache" for each part.
  std::map<std::string, std::map<std::string, std::string>> files;
  for (const auto& [name, text] : BuiltinTemplates()) {
    for (std::string_view part : kParts) {
      std::string tail = std::string(part) + std::string(kSuffix);
      if (name.size() > tail.size() && name.ends_with(tail)) {
        files[std::string(name.substr(0, name.size() - tail.size()))][std::string(part)] = text;
      }
    }
  }
  for (auto& [kind, parts] : files) {
    if (parts.size() != 3) continue;  // the build's own set is complete (tests check it)
    sets_[kind] = Set{parts[".subject"], parts[".txt"], parts[".html"]};
  }
  if (!override_dir.empty()) {
    std::error_code ec;
    std::filesystem::directory_iterator it(override_dir, ec);
    if (ec) throw std::runtime_error("cannot read --mail-templates " + override_dir.string());
    std::set<std::string> kinds;
    for (const auto& entry : it) {
      std::string name = entry.path().filename().string();
      for (std::string_view part : kParts) {
        std::string tail = std::string(part) + std::string(kSuffix);
        if (name.size() > tail.size() && name.ends_with(tail)) {
          kinds.insert(name.substr(0, name.size() - tail.size()));
        }
      }
    }
    for (const std::string& kind : kinds) {
      Set set;
      std::string* slots[] = {&set.subject, &set.text, &set.html};
      for (int i = 0; i < 3; ++i) {
        auto file = override_dir / (kind + std::string(kParts[i]) + std::string(kSuffix));
        if (!std::filesystem::exists(file)) {
          throw std::runtime_error("--mail-templates: " + file.string() +
                                   " is missing (a kind needs its .subject, .txt and .html)");
        }
        *slots[i] = ReadFile(file);
      }
      sets_[kind] = std::move(set);
      ++overridden_;
    }
  }
  for (const auto& [kind, set] : sets_) {
    Check(kind + ".subject", set.subject);
    Check(kind + ".txt", set.text);
    Check(kind + ".html", set.html);
  }
}

bool MailTemplates::Has(std::string_view kind) const { return sets_.find(kind) != sets_.end(); }

Result<RenderedMail> MailTemplates::Render(
    std::string_view kind, const std::map<std::string, std::string>& variables) const {
  auto it = sets_.find(kind);
  if (it == sets_.end()) return MakeError(Errc::kNotFound, "no mail template of this kind");
  kainjow::mustache::data data;
  // An empty value is left out: kainjow renders a section of any string, even "", so a
  // section ({{#x}}, {{^x}}) tests "set and non-empty" only this way (templates/mail/README.md).
  for (const auto& [name, value] : variables) {
    if (!value.empty()) data.set(name, value);
  }
  RenderedMail mail;
  mail.subject = Trim(RenderPart(it->second.subject, data, false));
  if (mail.subject.empty() || mail.subject.find_first_of("\r\n") != std::string::npos) {
    return MakeError(Errc::kInvalidInput, "the subject must be one non-empty line");
  }
  mail.text = RenderPart(it->second.text, data, false);
  mail.html = RenderPart(it->second.html, data, true);
  return mail;
}

}  // namespace latchkey::courier
