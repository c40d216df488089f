// The courier's sender over the real SQLite outbox with a fake clock and a scripted transport:
// sent rows are marked and scrubbed, failures back off and are retried, the bound and
// permanent refusals give up with an audit event, payloads that do not open are not sent.
#include "courier/outbox_sender.h"

#include <gtest/gtest.h>

#include <deque>

#include "store/sqlite/sqlite_database.h"
#include "test_support.h"

namespace latchkey::courier {
namespace {

class ScriptedTransport final : public Transport {
 public:
  std::deque<std::optional<SendFailure>> script;  // empty: accept
  std::vector<std::pair<Envelope, std::string>> accepted;
  int calls = 0;
  std::optional<SendFailure> Send(const Envelope& e, std::string_view message) override {
    ++calls;
    std::optional<SendFailure> next;
    if (!script.empty()) {
      next = script.front();
      script.pop_front();
    }
    if (!next) accepted.emplace_back(e, std::string(message));
    return next;
  }
  std::string Describe() const override { return "scripted"; }
};

class OutboxSenderTest : public ::testing::Test {
 protected:
  SenderOptions Options() {
    SenderOptions o;
    o.from = {"Latchkey", "no-reply@example.org"};
    o.public_url = "https://auth.example.org";
    o.node_id = "test-node";
    o.backoff = {Seconds(10), Seconds(100), 3};
    return o;
  }
  std::int64_t Queue(const std::map<std::string, std::string>& vars, std::string kind = "test") {
    mail::OutgoingMail m{kind, "ann@example.org", 42, mail::SealMailVariables(sealer_, vars)};
    return db_.outbox().Enqueue(m, clock_.Now()).value();
  }
  mail::MailRecord Row(std::int64_t id) {
    for (auto& r : db_.outbox().List(std::nullopt, 100).value()) {
      if (r.id == id) return r;
    }
    ADD_FAILURE() << "no row " << id;
    return {};
  }

  testing::TempDir dir_;
  FakeClock clock_;
  store::sqlite::SqliteDatabase db_{(dir_.path() / "latchkey.db").string(), 2};
  crypto::Sealer sealer_{std::vector<Secret>{Secret(std::string(32, 'k'))}};
  MailTemplates templates_;
  ScriptedTransport transport_;
  audit::AuditLog audit_{db_.events(), clock_};
  OutboxSender sender_{db_.outbox(), sealer_, templates_, transport_, audit_, clock_, Options()};
};

TEST_F(OutboxSenderTest, Sent_MarkedScrubbedWithMessageId) {
  auto id = Queue({});
  EXPECT_EQ(sender_.RunOnce(), 1);
  ASSERT_EQ(transport_.accepted.size(), 1u);
  const auto& [envelope, message] = transport_.accepted[0];
  EXPECT_EQ(envelope.from, "no-reply@example.org");
  EXPECT_EQ(envelope.to, "ann@example.org");
  EXPECT_EQ(envelope.outbox_id, id);
  EXPECT_NE(message.find("https://auth.example.org"), std::string::npos) << "public_url added";
  auto row = Row(id);
  EXPECT_EQ(row.state, mail::MailState::kSent);
  EXPECT_FALSE(row.has_payload);
  EXPECT_NE(message.find("Message-Id: " + row.message_id), std::string::npos) << row.message_id;
  EXPECT_EQ(sender_.counters().sent.load(), 1u);
  EXPECT_EQ(sender_.RunOnce(), 0) << "never twice";
  EXPECT_EQ(transport_.calls, 1);
}

TEST_F(OutboxSenderTest, TemporaryFailure_BacksOffThenDelivers) {
  auto id = Queue({});
  transport_.script = {SendFailure{"connection refused", false}};
  EXPECT_EQ(sender_.RunOnce(), 1);
  auto row = Row(id);
  EXPECT_EQ(row.state, mail::MailState::kQueued);
  EXPECT_EQ(row.last_error, "connection refused");
  EXPECT_GE(row.next_attempt_at, clock_.Now() + Seconds(5)) << "first window 10 s, half floor";
  EXPECT_LE(row.next_attempt_at, clock_.Now() + Seconds(10));
  EXPECT_EQ(sender_.counters().retries.load(), 1u);
  EXPECT_EQ(sender_.RunOnce(), 0) << "not due yet";
  clock_.Advance(Seconds(10));
  EXPECT_EQ(sender_.RunOnce(), 1);
  EXPECT_EQ(Row(id).state, mail::MailState::kSent);
  EXPECT_EQ(transport_.accepted.size(), 1u);
}

TEST_F(OutboxSenderTest, GivesUpAfterTheBound_AuditedAndCounted) {
  auto id = Queue({});
  for (int i = 0; i < 3; ++i) transport_.script.push_back(SendFailure{"451 later", false});
  for (int attempt = 1; attempt <= 3; ++attempt) {
    EXPECT_EQ(sender_.RunOnce(), 1) << attempt;
    clock_.Advance(Seconds(100));
  }
  auto row = Row(id);
  EXPECT_EQ(row.state, mail::MailState::kFailed);
  EXPECT_EQ(row.attempts, 3);
  EXPECT_EQ(row.last_error, "451 later");
  EXPECT_EQ(sender_.counters().given_up.load(), 1u);
  EXPECT_EQ(sender_.counters().retries.load(), 2u);
  auto events = db_.events().ListUserEvents(identity::UserId(42), 10).value();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "mail_given_up");
  EXPECT_EQ(sender_.RunOnce(), 0);
}

TEST_F(OutboxSenderTest, PermanentRefusal_GivesUpAtOnce) {
  auto id = Queue({});
  transport_.script = {SendFailure{"550 no such user", true}};
  EXPECT_EQ(sender_.RunOnce(), 1);
  EXPECT_EQ(Row(id).state, mail::MailState::kFailed);
  EXPECT_EQ(Row(id).attempts, 1);
}

TEST_F(OutboxSenderTest, PayloadThatDoesNotOpen_NeverSent) {
  crypto::Sealer other{std::vector<Secret>{Secret(std::string(32, 'x'))}};
  mail::OutgoingMail m{"test", "ann@example.org", std::nullopt, mail::SealMailVariables(other, {})};
  auto id = db_.outbox().Enqueue(m, clock_.Now()).value();
  EXPECT_EQ(sender_.RunOnce(), 1);
  EXPECT_EQ(transport_.calls, 0);
  auto row = Row(id);
  EXPECT_EQ(row.state, mail::MailState::kQueued) << "another node may hold the key";
  EXPECT_NE(row.last_error.find("seal"), std::string::npos) << row.last_error;
}

TEST_F(OutboxSenderTest, UnknownKind_RetriedNotSent) {
  auto id = Queue({}, "kind_of_a_newer_release");
  EXPECT_EQ(sender_.RunOnce(), 1);
  EXPECT_EQ(transport_.calls, 0);
  EXPECT_EQ(Row(id).state, mail::MailState::kQueued);
}

}  // namespace
}  // namespace latchkey::courier
