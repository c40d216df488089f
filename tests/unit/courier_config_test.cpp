// The courier's small parts: --mail parsing, the backoff, and the templates (built-in set,
// operator override, escaping, subject rules).
#include <gtest/gtest.h>

#include <fstream>

#include "courier/backoff.h"
#include "courier/builtin_templates.h"
#include "courier/mail_templates.h"
#include "courier/transport_spec.h"
#include "test_support.h"

namespace latchkey::courier {
namespace {

TEST(TransportSpec, Parse_Table) {
  struct Case {
    const char* label;
    const char* value;
    bool ok;
    TransportSpec::Kind kind;
    const char* url;
    const char* user;
    bool starttls;
  } cases[] = {
      {"off", "off", true, TransportSpec::Kind::kOff, "", "", true},
      {"file", "file:/var/mail/x", true, TransportSpec::Kind::kFile, "", "", true},
      {"file without dir", "file:", false, {}, "", "", true},
      {"smtp default port", "smtp://mail.example.org", true, TransportSpec::Kind::kSmtp,
       "smtp://mail.example.org:587", "", true},
      {"smtp user port", "smtp://ann@mail.example.org:2525", true, TransportSpec::Kind::kSmtp,
       "smtp://mail.example.org:2525", "ann", true},
      {"smtp tls none", "smtp://127.0.0.1:2525?tls=none", true, TransportSpec::Kind::kSmtp,
       "smtp://127.0.0.1:2525", "", false},
      {"smtps", "smtps://mail.example.org", true, TransportSpec::Kind::kSmtp,
       "smtps://mail.example.org:465", "", true},
      {"ipv6", "smtp://[::1]:25", true, TransportSpec::Kind::kSmtp, "smtp://[::1]:25", "", true},
      {"smtps tls none", "smtps://h?tls=none", false, {}, "", "", true},
      {"password in url", "smtp://ann:secret@h", false, {}, "", "", true},
      {"other query", "smtp://h?tls=maybe", false, {}, "", "", true},
      {"path", "smtp://h/x", false, {}, "", "", true},
      {"http", "http://h", false, {}, "", "", true},
      {"garbage", "mail", false, {}, "", "", true},
  };
  for (const Case& c : cases) {
    auto spec = ParseTransportSpec(c.value);
    ASSERT_EQ(spec.has_value(), c.ok) << c.label;
    if (!c.ok) {
      EXPECT_EQ(spec.error().field, "--mail") << c.label;
      EXPECT_EQ(spec.error().message.find("secret"), std::string::npos) << "value not echoed";
      continue;
    }
    EXPECT_EQ(spec->kind, c.kind) << c.label;
    if (spec->smtp()) {
      EXPECT_EQ(spec->Url(), c.url) << c.label;
      EXPECT_EQ(spec->user, c.user) << c.label;
      EXPECT_EQ(spec->require_starttls, c.starttls) << c.label;
    }
  }
}

TEST(Backoff, DoublesWithJitterUpToTheCap) {
  BackoffPolicy p{Seconds(30), Seconds(3600), 10};
  EXPECT_EQ(BackoffDelay(p, 1, 0.0), Seconds(15)) << "half the window at least";
  EXPECT_EQ(BackoffDelay(p, 1, 0.999999), Seconds(29));
  EXPECT_EQ(BackoffDelay(p, 2, 0.0), Seconds(30));
  EXPECT_EQ(BackoffDelay(p, 3, 0.0), Seconds(60));
  EXPECT_EQ(BackoffDelay(p, 10, 0.0), Seconds(1800)) << "capped window 3600";
  EXPECT_EQ(BackoffDelay(p, 10, 1.0), Seconds(3600));
  EXPECT_EQ(BackoffDelay(p, 1000, 0.5), Seconds(2700)) << "no overflow";
  EXPECT_EQ(BackoffDelay({Seconds(1), Seconds(1), 3}, 1, 0.0), Seconds(1)) << "at least 1 s";
}

TEST(MailTemplates, BuiltinSetsAreComplete) {
  std::map<std::string, int> parts;
  for (const auto& [name, text] : BuiltinTemplates()) {
    auto dot = name.find('.');
    ASSERT_NE(dot, std::string_view::npos) << name;
    ++parts[std::string(name.substr(0, dot))];
    EXPECT_FALSE(text.empty()) << name;
  }
  ASSERT_TRUE(parts.count("test"));
  for (const auto& [kind, n] : parts) EXPECT_EQ(n, 3) << kind << ": .subject, .txt and .html";
  MailTemplates templates;  // every built-in template parses
  EXPECT_TRUE(templates.Has("test"));
}

TEST(MailTemplates, Render_EscapesHtmlOnly_KnownKindsOnly) {
  MailTemplates templates;
  auto r = templates.Render("test", {{"recipient", "<b>&"}, {"public_url", "https://x.example"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->subject, "Latchkey test message");
  EXPECT_NE(r->text.find("<b>&"), std::string::npos) << "text is not HTML-escaped";
  EXPECT_NE(r->html.find("&lt;b&gt;&amp;"), std::string::npos) << "HTML is escaped";
  EXPECT_EQ(r->html.find("<b>&"), std::string::npos);
  EXPECT_EQ(templates.Render("no_such_kind", {}).error().code, Errc::kNotFound);
}

TEST(MailTemplates, EmailChanged_RemovedAddressSaysRemoved) {
  MailTemplates templates;
  std::map<std::string, std::string> v{
      {"username", "ann"},     {"old_email", "ann@old.example"},
      {"new_email", ""},       {"link", "https://x.example/undo-email#token=t"},
      {"expires_hours", "72"}, {"public_url", "https://x.example"}};
  auto removed = templates.Render("email_changed", v);
  ASSERT_TRUE(removed);
  for (const std::string& part : {removed->text, removed->html}) {
    EXPECT_NE(part.find("ann@old.example was removed"), std::string::npos) << part;
    EXPECT_EQ(part.find("changed from"), std::string::npos) << part;
  }
  v["new_email"] = "ann@new.example";
  auto changed = templates.Render("email_changed", v);
  ASSERT_TRUE(changed);
  for (const std::string& part : {changed->text, changed->html}) {
    EXPECT_NE(part.find("changed from ann@old.example to"), std::string::npos) << part;
    EXPECT_NE(part.find("ann@new.example."), std::string::npos) << part;
    EXPECT_EQ(part.find("removed"), std::string::npos) << part;
  }
}

void Write(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file) << text;
}

TEST(MailTemplates, OverrideDirectory_KindFoundThereWins) {
  testing::TempDir dir;
  Write(dir.path() / "test.subject.mustache", "Custom {{recipient}}\n");
  Write(dir.path() / "test.txt.mustache", "custom text");
  Write(dir.path() / "test.html.mustache", "<p>custom</p>");
  Write(dir.path() / "welcome.subject.mustache", "Welcome");
  Write(dir.path() / "welcome.txt.mustache", "hi");
  Write(dir.path() / "welcome.html.mustache", "<p>hi</p>");
  Write(dir.path() / "README.md", "ignored");
  MailTemplates templates(dir.path());
  EXPECT_EQ(templates.overridden(), 2u);
  auto r = templates.Render("test", {{"recipient", "ann@example.org"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->subject, "Custom ann@example.org");
  EXPECT_EQ(r->text, "custom text");
  EXPECT_TRUE(templates.Render("welcome", {}));
}

TEST(MailTemplates, OverrideDirectory_IncompleteOrBrokenSetRefusedAtStart) {
  testing::TempDir dir;
  Write(dir.path() / "test.subject.mustache", "S");
  Write(dir.path() / "test.txt.mustache", "T");
  EXPECT_THROW(MailTemplates(dir.path()), std::runtime_error) << "no .html";
  Write(dir.path() / "test.html.mustache", "{{#open}} never closed");
  EXPECT_THROW(MailTemplates(dir.path()), std::runtime_error) << "does not parse";
  EXPECT_THROW(MailTemplates(dir.path() / "missing"), std::runtime_error);
}

TEST(MailTemplates, Subject_MustBeOneNonEmptyLine) {
  testing::TempDir dir;
  Write(dir.path() / "x.subject.mustache", "{{a}}");
  Write(dir.path() / "x.txt.mustache", "t");
  Write(dir.path() / "x.html.mustache", "h");
  MailTemplates templates(dir.path());
  EXPECT_EQ(templates.Render("x", {{"a", "  one line  "}})->subject, "one line");
  EXPECT_EQ(templates.Render("x", {{"a", ""}}).error().code, Errc::kInvalidInput);
  EXPECT_EQ(templates.Render("x", {{"a", "a\nBcc: b@example.org"}}).error().code,
            Errc::kInvalidInput);
}

}  // namespace
}  // namespace latchkey::courier
