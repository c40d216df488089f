#include "courier/mime_message.h"

#include <gtest/gtest.h>

namespace latchkey::courier {
namespace {

MimeHeaders Headers() {
  return MimeHeaders{Mailbox{"Latchkey", "no-reply@example.org"}, "ann@example.org",
                     "abc123@example.org", FromUnixSeconds(1'700'000'000)};
}

std::string HeaderBlock(const std::string& message) {
  return message.substr(0, message.find("\r\n\r\n"));
}

TEST(MimeMessage, HeadersAndAlternativeParts_CrlfLines) {
  RenderedMail mail{"Verify your address", "Plain text body\n", "<p>HTML body</p>\n"};
  std::string m = BuildMimeMessage(Headers(), mail);
  std::string head = HeaderBlock(m);
  EXPECT_NE(head.find("From: Latchkey <no-reply@example.org>"), std::string::npos) << head;
  EXPECT_NE(head.find("To: ann@example.org"), std::string::npos) << head;
  EXPECT_NE(head.find("Subject: Verify your address"), std::string::npos) << head;
  EXPECT_NE(head.find("Message-Id: <abc123@example.org>"), std::string::npos) << head;
  EXPECT_NE(head.find("Date: Tue, 14 Nov 2023 22:13:20 +0000"), std::string::npos) << head;
  EXPECT_NE(head.find("MIME-Version: 1.0"), std::string::npos) << head;
  EXPECT_NE(head.find("Auto-Submitted: auto-generated"), std::string::npos) << head;
  EXPECT_NE(head.find("Content-Type: multipart/alternative"), std::string::npos) << head;
  auto text_at = m.find("Content-Type: text/plain; charset=utf-8");
  auto html_at = m.find("Content-Type: text/html; charset=utf-8");
  ASSERT_NE(text_at, std::string::npos) << m;
  ASSERT_NE(html_at, std::string::npos) << m;
  EXPECT_LT(text_at, html_at) << "the plainest part first (RFC 2046 5.1.4)";
  EXPECT_NE(m.find("Plain text body"), std::string::npos);
  EXPECT_NE(m.find("<p>HTML body</p>"), std::string::npos);
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (m[i] == '\n') {
      ASSERT_TRUE(i > 0 && m[i - 1] == '\r') << "bare LF at " << i;
    }
  }
}

TEST(MimeMessage, NonAsciiSubjectAndBodies_EncodedFor7Bit) {
  RenderedMail mail{"Bestätigen Sie Ihre Adresse – schnell", "Grüße, Ünïcödé\n", "<p>Grüße</p>\n"};
  std::string m = BuildMimeMessage(Headers(), mail);
  std::string head = HeaderBlock(m);
  EXPECT_NE(head.find("Subject: =?UTF-8?Q?Best=C3=A4tigen"), std::string::npos)
      << "RFC 2047 encoded word: " << head;
  EXPECT_EQ(head.find("ä"), std::string::npos) << head;
  for (unsigned char c : m) ASSERT_LT(c, 0x80) << "7-bit throughout";
  EXPECT_TRUE(m.find("quoted-printable") != std::string::npos ||
              m.find("base64") != std::string::npos);
}

TEST(MimeMessage, SubjectCannotInjectHeaders) {
  RenderedMail mail{"Hi\r\nBcc: evil@example.org", "t", "h"};
  std::string head = HeaderBlock(BuildMimeMessage(Headers(), mail));
  EXPECT_EQ(head.find("\r\nBcc:"), std::string::npos) << head;
}

TEST(Mailbox, Parse_OneMailboxOnly) {
  struct Case {
    const char* label;
    const char* text;
    bool ok;
    const char* name;
    const char* address;
  } cases[] = {
      {"bare", "a@example.org", true, "", "a@example.org"},
      {"named", "Latchkey <no-reply@example.org>", true, "Latchkey", "no-reply@example.org"},
      {"quoted name", "\"Ann, Admin\" <a@example.org>", true, "Ann, Admin", "a@example.org"},
      {"two", "a@example.org, b@example.org", false, "", ""},
      {"no domain", "ann", false, "", ""},
      {"empty", "", false, "", ""},
      {"line break", "a@example.org\r\nBcc: b@example.org", false, "", ""},
      {"group", "undisclosed: a@example.org;", false, "", ""},
  };
  for (const Case& c : cases) {
    auto box = ParseMailbox(c.text);
    ASSERT_EQ(box.has_value(), c.ok) << c.label;
    if (!c.ok) continue;
    EXPECT_EQ(box->name, c.name) << c.label;
    EXPECT_EQ(box->address, c.address) << c.label;
  }
}

TEST(MessageId, RandomAtTheSendersDomain) {
  std::string a = NewMessageId("no-reply@example.org");
  std::string b = NewMessageId("no-reply@example.org");
  EXPECT_NE(a, b);
  EXPECT_TRUE(a.ends_with("@example.org")) << a;
  EXPECT_EQ(a.find('<'), std::string::npos);
  EXPECT_GE(a.find('@'), 22u) << "128 random bits";
  EXPECT_TRUE(NewMessageId("nodomain").ends_with("@latchkey.invalid"));
}

}  // namespace
}  // namespace latchkey::courier
