// The value of --mail: which transport (courier/transport.h) the sender uses.
//   off                                  no mail is sent (rows stay queued)
//   file:<dir>                           one .eml file per message (courier/file_transport.h)
//   smtp://[user@]host[:port][?tls=none] SMTP submission, port 587 by default, STARTTLS
//                                        required (RFC 3207) unless ?tls=none
//   smtps://[user@]host[:port]           SMTP over TLS from the first byte, port 465 (RFC 8314)
// The password never goes in the URL: --mail-password-file (courier/smtp_transport.h).
// Thread-safety: plain values and pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/errc.h"

namespace latchkey::courier {

struct TransportSpec {
  enum class Kind { kOff, kFile, kSmtp };
  Kind kind = Kind::kOff;
  std::string dir;               // kFile
  std::string host;              // kSmtp: name or IP literal (IPv6 without brackets)
  unsigned short port = 0;       // kSmtp
  std::string user;              // kSmtp: empty for no AUTH
  bool implicit_tls = false;     // smtps://
  bool require_starttls = true;  // smtp:// without ?tls=none
  // smtp(s)://host:port for libcurl, without the user (no secret in it).
  std::string Url() const;
  bool smtp() const { return kind == Kind::kSmtp; }
};

// Parses --mail. Errors: kInvalidInput with a message naming --mail and what is wrong (the
// value itself is not echoed: a mistyped password could be in it).
Result<TransportSpec> ParseTransportSpec(std::string_view value);

}  // namespace latchkey::courier
