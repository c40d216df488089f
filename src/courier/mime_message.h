// A queued message as Internet mail: RFC 5322 headers (From, To, Subject, Date, Message-ID,
// MIME-Version, Auto-Submitted) over a multipart/alternative body of a text/plain and a
// text/html part, both UTF-8 (RFC 2045-2046, 2049), built by GMime (Debian libgmime-3.0): the
// Subject and display names are RFC 2047 encoded words when they are not ASCII, the parts
// quoted-printable or base64 as their content needs, lines CRLF-terminated as SMTP sends them.
// No MIME writer of our own.
// Thread-safety: functions; safe from any thread (GMime is initialised once, under a flag).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "courier/mail_templates.h"

namespace latchkey::courier {

// One mailbox (RFC 5322 3.4): an addr-spec and an optional display name.
struct Mailbox {
  std::string name;     // may be empty; UTF-8
  std::string address;  // local@domain, as written
};

// `text` as exactly one mailbox ("a@example.org", "Latchkey <a@example.org>"); nullopt when
// it is not one (none, several, a group, no domain, a line break).
std::optional<Mailbox> ParseMailbox(std::string_view text);

struct MimeHeaders {
  Mailbox from;            // --mail-from
  std::string to;          // the recipient's addr-spec
  std::string message_id;  // without angle brackets: NewMessageId()
  UnixTime date;           // the Date header (RFC 5322 3.3), written in UTC
};

// A fresh Message-ID (RFC 5322 3.6.4): 128 random bits, base64url, "@" the sender's domain
// (the domain of `from_address`; "latchkey.invalid" when it has none). No angle brackets.
std::string NewMessageId(std::string_view from_address);

// The whole message, headers and body, CRLF line endings.
std::string BuildMimeMessage(const MimeHeaders& headers, const RenderedMail& mail);

}  // namespace latchkey::courier
