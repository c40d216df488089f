// SMTP submission with libcurl (Debian's libcurl: no SMTP client of our own): one connection
// per message, EHLO, STARTTLS (required unless the spec says tls=none: CURLUSESSL_ALL refuses
// a server that does not offer it, RFC 3207), AUTH when a user is given (the password from
// --mail-password-file), MAIL FROM, RCPT TO, DATA. The server's certificate and name are
// verified against the system's CA store, or --mail-ca-file.
//
// A 5yz reply about THIS message (to its RCPT TO, to DATA, or after its content) is a
// permanent failure (RFC 5321 4.2.1); everything else is temporary and the sender retries:
// 4yz, no connection, TLS refused or not offered, a 5yz greeting or EHLO, AUTH refused (535:
// a wrong --mail-password-file must not give up every queued mail), MAIL FROM refused (the
// sender's configuration, not the message), timeouts. The stage is followed through
// libcurl's debug callback (the command lines sent; the content is never looked at). Error texts
// name the host and libcurl's reason, never the password or the message. Thread-safety: Send from
// one thread at a time (each call has its own curl handle).
#pragma once

#include <chrono>
#include <string>

#include "base/secret.h"
#include "courier/transport.h"
#include "courier/transport_spec.h"

namespace latchkey::courier {

struct SmtpOptions {
  std::string ca_file;                       // PEM bundle; empty: the system's
  std::chrono::seconds connect_timeout{10};  // TCP + TLS handshake
  std::chrono::seconds timeout{60};          // the whole exchange of one message
};

class SmtpTransport final : public Transport {
 public:
  SmtpTransport(TransportSpec spec, Secret password, SmtpOptions options);

  std::optional<SendFailure> Send(const Envelope& envelope, std::string_view message) override;
  std::string Describe() const override;
  void SetCancelFlag(const std::atomic<bool>* cancel) override { cancel_.store(cancel); }

 private:
  TransportSpec spec_;
  Secret password_;
  SmtpOptions options_;
  std::atomic<const std::atomic<bool>*> cancel_{nullptr};  // the sender's stopping flag
};

}  // namespace latchkey::courier
