// A message to be sent, as a use case queues it: what the outbox row holds before the sender
// renders it (mail/outbox_sender.h). Written by the stores' InsertOutgoingMail inside the
// transaction of the change that needs the mail (store/sqlite/mail_outbox_insert.h and its
// PostgreSQL twin), so the change and its mail commit or roll back together.
//
// The template variables travel sealed (crypto/sealer.h, purpose "mail"): a verification or
// recovery link carries a one-time token, and the database must never hold a usable token in
// plain text (issue 19). Build `payload` with SealMailVariables; the sender opens it with
// OpenMailVariables and scrubs it once the message is sent or given up.
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/sealer.h"

namespace latchkey::mail {

// The sealing purpose of mail payloads (associated data of crypto::Sealer).
inline constexpr std::string_view kMailSealPurpose = "mail";

struct OutgoingMail {
  std::string kind;                     // template name: templates/mail/<kind>.{subject,txt,html}
  std::string recipient;                // one address, as the account holds it (addr-spec)
  std::optional<std::int64_t> user_id;  // the account it concerns, if any (audit, listing)
  std::string payload;                  // SealMailVariables(...): the sealed template variables
};

// The variables (names -> values, plain strings) as a JSON object, sealed with purpose "mail".
std::string SealMailVariables(const crypto::Sealer& sealer,
                              const std::map<std::string, std::string>& variables);

// The inverse: nullopt when the payload does not open (tampered, unknown key, wrong purpose)
// or is not a JSON object of strings. The values may hold tokens: never log them.
std::optional<std::map<std::string, std::string>> OpenMailVariables(const crypto::Sealer& sealer,
                                                                    std::string_view payload);

}  // namespace latchkey::mail
