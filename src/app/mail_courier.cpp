#include "app/mail_courier.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <limits>

#include "app/mail_config.h"
#include "courier/file_transport.h"
#include "courier/smtp_transport.h"
#include "crypto/random.h"

namespace latchkey::app {
namespace {

// The name a sender claims rows under: readable in `latchkey mail list` / the table, unique
// per process (a restarted process is another claimer).
std::string SenderId() {
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" + crypto::RandomToken(6);
}

}  // namespace

std::unique_ptr<courier::Transport> MakeTransport(const MailSettings& settings,
                                                  const Clock& clock) {
  switch (settings.transport.kind) {
    case courier::TransportSpec::Kind::kOff:
      return nullptr;
    case courier::TransportSpec::Kind::kFile:
      return std::make_unique<courier::FileTransport>(settings.transport.dir, clock);
    case courier::TransportSpec::Kind::kSmtp: {
      Secret password;
      if (!settings.password_file.empty()) password = ReadMailPassword(settings.password_file);
      courier::SmtpOptions options;
      options.ca_file = settings.ca_file;
      return std::make_unique<courier::SmtpTransport>(settings.transport, std::move(password),
                                                      options);
    }
  }
  return nullptr;
}

MailCourier::MailCourier(const Settings& settings, store::Database& db,
                         const crypto::Sealer& sealer, audit::AuditLog& audit, const Clock& clock)
    : db_(db),
      templates_(settings.mail.templates_dir),
      transport_(MakeTransport(settings.mail, clock)) {
  if (!settings.mail.templates_dir.empty()) {
    spdlog::info("mail templates: {} kind(s) from {}", templates_.overridden(),
                 settings.mail.templates_dir);
  }
  if (!transport_) {
    spdlog::warn("mail is off (--mail off): messages stay queued");
    return;
  }
  spdlog::info("mail via {} from {}", transport_->Describe(), settings.mail.from.address);
  courier::SenderOptions options;
  options.from = settings.mail.from;
  options.public_url = settings.public_url;
  options.node_id = SenderId();
  options.backoff = settings.mail.backoff;
  sender_ = std::make_unique<courier::OutboxSender>(db.outbox(), sealer, templates_, *transport_,
                                                    audit, clock, options);
}

MailCourier::~MailCourier() { sender_.reset(); }

void MailCourier::Start() {
  if (sender_) sender_->Start();
}

void MailCourier::AddMetrics(metrics::Registry& m, const Clock& clock) {
  // Read at scrape time on the metrics listener's thread: one aggregate query. NaN when the
  // database does not answer.
  auto stat = [this](auto pick) {
    return [this, pick] {
      auto s = db_.outbox().Stats();
      return s ? pick(*s) : std::numeric_limits<double>::quiet_NaN();
    };
  };
  m.AddGauge("latchkey_mail_queued", "Messages in the outbox not yet sent (every node's).",
             stat([](const mail::OutboxStats& s) { return static_cast<double>(s.queued); }));
  m.AddGauge("latchkey_mail_sent", "Messages in the outbox marked sent (every node's).",
             stat([](const mail::OutboxStats& s) { return static_cast<double>(s.sent); }));
  m.AddGauge("latchkey_mail_failed",
             "Messages given up after --mail-max-attempts or a permanent refusal.",
             stat([](const mail::OutboxStats& s) { return static_cast<double>(s.failed); }));
  m.AddGauge("latchkey_mail_oldest_unsent_age_seconds",
             "Age of the oldest message not yet sent; 0 when none waits.",
             stat([&clock](const mail::OutboxStats& s) {
               if (!s.oldest_unsent) return 0.0;
               return static_cast<double>((clock.Now() - *s.oldest_unsent).count());
             }));
  if (!sender_) return;
  const courier::SenderCounters& c = sender_->counters();
  m.AddGauge(
      "latchkey_mail_sent_total", "Messages this node handed to the transport.",
      [&c] { return static_cast<double>(c.sent.load()); }, "counter");
  m.AddGauge(
      "latchkey_mail_retries_total", "Failed attempts this node rescheduled with backoff.",
      [&c] { return static_cast<double>(c.retries.load()); }, "counter");
  m.AddGauge(
      "latchkey_mail_given_up_total", "Messages this node gave up.",
      [&c] { return static_cast<double>(c.given_up.load()); }, "counter");
}

}  // namespace latchkey::app
