// Renders a queued message's kind and variables into its subject, text and HTML
// (templates/mail/README.md: the file set per kind and the variables convention), with
// kainjow mustache as the page template (web/page.cpp) is.
//
// A kind comes from the operator's directory (--mail-templates DIR) when its three files are
// all there, else from the built-in set (courier/builtin_templates.h). The directory is read
// once, at construction: an edit takes effect at the next start. `{{x}}` is HTML-escaped in the
// HTML part only. Thread-safety: immutable after construction; Render from any thread.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/errc.h"

namespace latchkey::courier {

struct RenderedMail {
  std::string subject;  // one line, trimmed, UTF-8 (RFC 2047-encoded by the MIME builder)
  std::string text;     // text/plain; charset=utf-8
  std::string html;     // text/html; charset=utf-8
};

class MailTemplates {
 public:
  // override_dir: empty for none. Throws std::runtime_error naming the file when the directory
  // cannot be read, a kind there lacks one of its three files, or a template does not parse
  // (a startup failure: exit 2 is the caller's).
  explicit MailTemplates(const std::filesystem::path& override_dir = {});

  // The message of `kind` with `variables`. Errors: kNotFound when no template set has that
  // kind; kInvalidInput when the subject renders empty or with a line break.
  Result<RenderedMail> Render(std::string_view kind,
                              const std::map<std::string, std::string>& variables) const;

  // The kinds served from the override directory (for the startup log).
  std::size_t overridden() const { return overridden_; }
  bool Has(std::string_view kind) const;

 private:
  struct Set {
    std::string subject, text, html;
  };
  std::map<std::string, Set, std::less<>> sets_;
  std::size_t overridden_ = 0;
};

}  // namespace latchkey::courier
