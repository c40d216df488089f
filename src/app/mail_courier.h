// What `latchkey serve` runs for mail: the templates, the transport of --mail and the
// outbox sender (courier/outbox_sender.h), and the mail gauges and counters of /metrics. With
// `--mail off` nothing is sent (queued rows wait) but the gauges are still exported.
// Thread-safety: built, started and destroyed on the main thread; the sender has its own.
#pragma once

#include <memory>

#include "app/config.h"
#include "audit/audit_log.h"
#include "base/clock.h"
#include "courier/mail_templates.h"
#include "courier/outbox_sender.h"
#include "courier/transport.h"
#include "crypto/sealer.h"
#include "metrics/registry.h"
#include "store/database.h"

namespace latchkey::app {

// The transport of `settings.mail` (nullptr for off). Reads --mail-password-file. Throws
// std::runtime_error on a file transport's directory that cannot be made, an unreadable
// password file.
std::unique_ptr<courier::Transport> MakeTransport(const MailSettings& settings, const Clock& clock);

class MailCourier {
 public:
  // Throws (startup failure) on bad templates or transport settings.
  MailCourier(const Settings& settings, store::Database& db, const crypto::Sealer& sealer,
              audit::AuditLog& audit, const Clock& clock);
  ~MailCourier();

  // latchkey_mail_* gauges (from the outbox, at scrape time) and this node's counters.
  void AddMetrics(metrics::Registry& registry, const Clock& clock);
  void Start();

 private:
  store::Database& db_;
  courier::MailTemplates templates_;
  std::unique_ptr<courier::Transport> transport_;
  std::unique_ptr<courier::OutboxSender> sender_;  // null with --mail off
};

}  // namespace latchkey::app
