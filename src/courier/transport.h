// Where a built message goes: the interface the sender (courier/outbox_sender.h) hands each
// message to, so that tests inject their own. Implementations: courier/file_transport.h
// (`file:<dir>`), courier/smtp_transport.h (`smtp://`, `smtps://`, libcurl); `off` is no
// transport at all (no sender runs). courier/transport_spec.h parses --mail.
// Thread-safety: Send is called from the sender's one thread; implementations say more.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace latchkey::courier {

// The SMTP envelope (RFC 5321 3.3): MAIL FROM and one RCPT TO, addr-specs.
struct Envelope {
  std::string from;
  std::string to;
  std::int64_t outbox_id = 0;  // the row, for file names; never sent
};

// Why a message was not delivered. `permanent`: the server refused it for good (an SMTP 5yz
// reply, RFC 5321 4.2.1): no retry helps. Otherwise it is retried with backoff. `error` is
// for the operator (mail_outbox.last_error, the log): never a password, token or body.
struct SendFailure {
  std::string error;
  bool permanent = false;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Hands `message` (CRLF lines, courier/mime_message.h) over. nullopt: accepted (the SMTP
  // server replied 250 to the data, or the file is in place).
  virtual std::optional<SendFailure> Send(const Envelope& envelope, std::string_view message) = 0;
  // What it is, for the startup log: never a password.
  virtual std::string Describe() const = 0;
};

}  // namespace latchkey::courier
