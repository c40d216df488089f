#include "courier/outbox_sender.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

namespace latchkey::courier {
namespace {

// The part of an address a log line may show (ASVS 7.1.1: no personal data beyond need).
std::string_view DomainOf(std::string_view address) {
  auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string_view("?") : address.substr(at + 1);
}

double RandomUnit() { return randombytes_uniform(1'000'000) / 1'000'000.0; }

constexpr std::chrono::seconds kScrubEvery{60};

}  // namespace

OutboxSender::OutboxSender(mail::OutboxStore& outbox, const crypto::Sealer& sealer,
                           const MailTemplates& templates, Transport& transport,
                           audit::AuditLog& audit, const Clock& clock, SenderOptions options)
    : outbox_(outbox),
      sealer_(sealer),
      templates_(templates),
      transport_(transport),
      audit_(audit),
      clock_(clock),
      options_(std::move(options)) {}

OutboxSender::~OutboxSender() { Stop(); }

void OutboxSender::Start() {
  if (worker_) return;
  worker_ = std::make_unique<PeriodicWorker>(
      options_.interval, [this] { RunOnce(); }, PeriodicWorker::FirstRun::kAtStart);
}

void OutboxSender::Stop() {
  if (worker_) worker_->Stop();
}

int OutboxSender::RunOnce() {
  UnixTime now = clock_.Now();
  if (now - last_scrub_ >= kScrubEvery) {
    last_scrub_ = now;
    if (auto r = outbox_.ScrubFailedBefore(now - options_.failed_retention); !r) {
      spdlog::warn("mail: scrubbing given-up messages failed: {}", MessageOf(r.error()));
    }
  }
  auto claimed = outbox_.Claim(options_.node_id, now, now + options_.lease, options_.batch);
  if (!claimed) {
    spdlog::warn("mail: cannot claim queued messages: {}", MessageOf(claimed.error()));
    return 0;
  }
  int handled = 0;
  for (const mail::ClaimedMail& row : *claimed) {
    if (worker_ && worker_->stopping()) break;  // the rest: claimed again after the lease
    Handle(row, clock_.Now());
    ++handled;
  }
  return handled;
}

void OutboxSender::Handle(const mail::ClaimedMail& row, UnixTime now) {
  auto variables = mail::OpenMailVariables(sealer_, row.payload);
  if (!variables) {
    // Temporary: another node (with the right seal.key) may open it.
    return Fail(row, {"the payload does not open with this node's seal keys", false}, now);
  }
  variables->try_emplace("recipient", row.recipient);
  variables->try_emplace("public_url", options_.public_url);
  auto rendered = templates_.Render(row.kind, *variables);
  if (!rendered) {
    bool unknown = rendered.error().code == Errc::kNotFound;  // maybe a newer node knows it
    return Fail(
        row, {"template " + row.kind + ": " + std::string(MessageOf(rendered.error())), !unknown},
        now);
  }
  MimeHeaders headers{options_.from, row.recipient, NewMessageId(options_.from.address),
                      clock_.Now()};
  std::string message = BuildMimeMessage(headers, *rendered);
  auto failure = transport_.Send({options_.from.address, row.recipient, row.id}, message);
  if (failure) return Fail(row, *failure, clock_.Now());
  auto marked = outbox_.MarkSent(row.id, clock_.Now(), "<" + headers.message_id + ">");
  if (!marked) {
    // Sent but not marked: sent again after the lease (at least once; docs/OPERATIONS.md).
    spdlog::error("mail {} ({}) was sent but cannot be marked: {}", row.id, row.kind,
                  MessageOf(marked.error()));
    return;
  }
  counters_.sent.fetch_add(1, std::memory_order_relaxed);
  spdlog::info("mail {} ({}) sent to a recipient at {} via {}", row.id, row.kind,
               DomainOf(row.recipient), transport_.Describe());
}

void OutboxSender::Fail(const mail::ClaimedMail& row, const SendFailure& failure, UnixTime now) {
  if (failure.permanent || row.attempts >= options_.backoff.max_attempts) {
    auto given_up = outbox_.GiveUp(row.id, options_.node_id, now, failure.error);
    if (!given_up || !*given_up) return;  // lost the lease: another sender has it
    counters_.given_up.fetch_add(1, std::memory_order_relaxed);
    std::optional<identity::UserId> user;
    if (row.user_id) user = identity::UserId(*row.user_id);
    audit_.Record(audit::EventType::kMailGivenUp, user, "",
                  audit::Origin("", "latchkey-courier " + row.kind));
    spdlog::warn("mail {} ({}) to a recipient at {} given up after {} attempt(s): {}", row.id,
                 row.kind, DomainOf(row.recipient), row.attempts, failure.error);
    return;
  }
  Seconds delay = BackoffDelay(options_.backoff, row.attempts, RandomUnit());
  auto rescheduled = outbox_.Reschedule(row.id, options_.node_id, now + delay, failure.error);
  if (!rescheduled || !*rescheduled) return;
  counters_.retries.fetch_add(1, std::memory_order_relaxed);
  spdlog::warn("mail {} ({}) to a recipient at {} not sent (attempt {}), retried in {} s: {}",
               row.id, row.kind, DomainOf(row.recipient), row.attempts, delay.count(),
               failure.error);
}

}  // namespace latchkey::courier
