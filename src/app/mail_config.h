// The mail settings of `latchkey serve` (--mail and friends, docs/OPERATIONS.md "Mail"):
// validated here, each failure a std::invalid_argument naming its flag (exit 2). No I/O: the
// password file is read when the server starts (ReadMailPassword).
// Thread-safety: plain values and functions, startup only.
#pragma once

#include <string>

#include "base/secret.h"
#include "courier/backoff.h"
#include "courier/mime_message.h"
#include "courier/transport_spec.h"

namespace latchkey::app {

struct MailConfig {
  std::string transport;           // --mail: off | file:<dir> | smtp(s)://...; default file:
  std::string mail_from;           // --mail-from: "Name <addr>" or addr; default from public URL
  std::string mail_password_file;  // --mail-password-file: the SMTP AUTH password
  std::string mail_templates;      // --mail-templates: a directory of overriding templates
  std::string mail_ca_file;        // --mail-ca-file: PEM CAs for the SMTP server's certificate
  int mail_max_attempts = 10;      // --mail-max-attempts: then given up
  std::string mail_retry_base = "30s";  // --mail-retry-base: the backoff after a first failure
  std::string mail_retry_max = "1h";    // --mail-retry-max: the longest backoff
};

struct MailSettings {
  courier::TransportSpec transport;  // kOff, kFile (dir) or kSmtp
  courier::Mailbox from;
  std::string password_file;  // empty: no AUTH
  std::string templates_dir;  // empty: the built-in templates only
  std::string ca_file;        // empty: the system's CA store
  courier::BackoffPolicy backoff;
};

// `data_dir`: the default file: directory's parent; `public_url`/`public_url_derived`: the
// default From domain, and an SMTP transport refuses a derived URL (its links would be wrong).
// smtp://user@host?tls=none is refused unless the host is loopback (AUTH in clear text).
MailSettings ResolveMail(const MailConfig& c, const std::string& data_dir,
                         const std::string& public_url, bool public_url_derived);

// The first line of --mail-password-file, which must be owner-only (no group or other bits,
// like the secret key files). Throws std::runtime_error naming the flag and the file.
Secret ReadMailPassword(const std::string& file);

}  // namespace latchkey::app
