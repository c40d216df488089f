// mail::OutboxStore on every dialect (mail/outbox_store.h): claims with a lease, marks,
// backoff, giving up, listing, retry, stats; and concurrent claims from two databases (two
// nodes) taking every row exactly once.
#include <algorithm>
#include <set>
#include <thread>

#include "contract/contract.h"

namespace latchkey::testing {
namespace {

class ContractOutbox : public ContractTest {
 protected:
  std::int64_t Queue(std::int64_t at, std::string recipient = "ann@example.org") {
    mail::OutgoingMail m{"verify_email", std::move(recipient), 7, "v1.payload"};
    return db().outbox().Enqueue(m, FromUnixSeconds(at)).value();
  }
  std::vector<std::int64_t> ClaimIds(std::string_view who, std::int64_t now, int limit = 10) {
    auto claimed = db().outbox().Claim(who, FromUnixSeconds(now), FromUnixSeconds(now + 60), limit);
    EXPECT_TRUE(claimed) << claimed.error().message;
    std::vector<std::int64_t> ids;
    for (const auto& m : *claimed) ids.push_back(m.id);
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  mail::MailRecord Record(std::int64_t id) {
    for (const auto& r : db().outbox().List(std::nullopt, 1000).value()) {
      if (r.id == id) return r;
    }
    ADD_FAILURE() << "no row " << id;
    return {};
  }
};
LATCHKEY_CONTRACT_SUITE(ContractOutbox);

TEST_P(ContractOutbox, Claim_DueRowsOnly_LeasedAndCounted) {
  auto a = Queue(100), b = Queue(200), c = Queue(300);
  auto claimed = db().outbox().Claim("node-1", FromUnixSeconds(250), FromUnixSeconds(310), 10);
  ASSERT_TRUE(claimed);
  ASSERT_EQ(claimed->size(), 2u);
  std::set<std::int64_t> ids;
  for (const auto& m : *claimed) {
    ids.insert(m.id);
    EXPECT_EQ(m.kind, "verify_email");
    EXPECT_EQ(m.recipient, "ann@example.org");
    EXPECT_EQ(m.user_id, 7);
    EXPECT_EQ(m.payload, "v1.payload");
    EXPECT_EQ(m.attempts, 1);
  }
  EXPECT_EQ(ids, (std::set<std::int64_t>{a, b}));
  EXPECT_EQ(ClaimIds("node-2", 300), std::vector<std::int64_t>{c}) << "leased rows are not taken";
  EXPECT_TRUE(ClaimIds("node-2", 305).empty());
  auto again = db().outbox().Claim("node-2", FromUnixSeconds(310), FromUnixSeconds(400), 10);
  ASSERT_EQ(again->size(), 2u) << "a lease that ran out (a sender that died) frees its rows";
  EXPECT_EQ((*again)[0].attempts, 2) << "a claim counts an attempt, crashed or not";
}

TEST_P(ContractOutbox, Claim_LimitTakesOldestDueFirst) {
  auto a = Queue(100), b = Queue(50), c = Queue(150);
  EXPECT_EQ(ClaimIds("n", 200, 2), (std::vector<std::int64_t>{std::min(a, b), std::max(a, b)}));
  EXPECT_EQ(ClaimIds("n", 200, 2), std::vector<std::int64_t>{c});
}

TEST_P(ContractOutbox, MarkSent_ScrubsPayloadKeepsMessageId) {
  auto id = Queue(100);
  ASSERT_EQ(ClaimIds("n", 100).size(), 1u);
  EXPECT_TRUE(db().outbox().MarkSent(id, FromUnixSeconds(101), "<x@latchkey>").value());
  auto r = Record(id);
  EXPECT_EQ(r.state, mail::MailState::kSent);
  EXPECT_FALSE(r.has_payload);
  EXPECT_EQ(r.sent_at, FromUnixSeconds(101));
  EXPECT_EQ(r.message_id, "<x@latchkey>");
  EXPECT_EQ(backend().QueryInt("SELECT count(*) FROM mail_outbox WHERE payload IS NULL"), 1);
  EXPECT_FALSE(db().outbox().MarkSent(id, FromUnixSeconds(102), "<y@latchkey>").value());
  EXPECT_TRUE(ClaimIds("n", 1000).empty()) << "never sent again";
}

TEST_P(ContractOutbox, Reschedule_OnlyByTheClaimer_DueAgainLater) {
  auto id = Queue(100);
  ASSERT_EQ(ClaimIds("n1", 100).size(), 1u);
  EXPECT_FALSE(db().outbox().Reschedule(id, "n2", FromUnixSeconds(200), "x").value());
  EXPECT_TRUE(
      db().outbox().Reschedule(id, "n1", FromUnixSeconds(200), "451 try again later").value());
  auto r = Record(id);
  EXPECT_EQ(r.state, mail::MailState::kQueued);
  EXPECT_EQ(r.last_error, "451 try again later");
  EXPECT_EQ(r.next_attempt_at, FromUnixSeconds(200));
  EXPECT_EQ(r.attempts, 1);
  EXPECT_TRUE(ClaimIds("n2", 199).empty()) << "the lease is released, but not yet due";
  EXPECT_EQ(ClaimIds("n2", 200).size(), 1u);
}

TEST_P(ContractOutbox, GiveUp_ThenRetry_ThenScrub) {
  auto id = Queue(100);
  ASSERT_EQ(ClaimIds("n", 100).size(), 1u);
  EXPECT_FALSE(db().outbox().GiveUp(id, "other", FromUnixSeconds(150), "x").value());
  EXPECT_TRUE(db().outbox().GiveUp(id, "n", FromUnixSeconds(150), "550 no such user").value());
  auto r = Record(id);
  EXPECT_EQ(r.state, mail::MailState::kFailed);
  EXPECT_EQ(r.last_error, "550 no such user");
  EXPECT_TRUE(r.has_payload) << "kept sealed for `latchkey mail retry`";
  EXPECT_TRUE(ClaimIds("n", 1000).empty()) << "failed rows are not claimed";

  EXPECT_EQ(db().outbox().Retry(id, FromUnixSeconds(500)).value(), mail::RetryOutcome::kRequeued);
  r = Record(id);
  EXPECT_EQ(r.state, mail::MailState::kQueued);
  EXPECT_EQ(r.attempts, 0);
  EXPECT_EQ(ClaimIds("n", 500), std::vector<std::int64_t>{id});
  EXPECT_TRUE(db().outbox().GiveUp(id, "n", FromUnixSeconds(600), "again").value());

  EXPECT_EQ(db().outbox().ScrubFailedBefore(FromUnixSeconds(600)).value(), 0);
  EXPECT_EQ(db().outbox().ScrubFailedBefore(FromUnixSeconds(601)).value(), 1);
  EXPECT_FALSE(Record(id).has_payload);
  EXPECT_EQ(db().outbox().Retry(id, FromUnixSeconds(700)).value(), mail::RetryOutcome::kNoContent);
}

TEST_P(ContractOutbox, Retry_SentAndUnknownRowsRefused) {
  auto id = Queue(100);
  ASSERT_EQ(ClaimIds("n", 100).size(), 1u);
  ASSERT_TRUE(db().outbox().MarkSent(id, FromUnixSeconds(101), "<m@x>").value());
  EXPECT_EQ(db().outbox().Retry(id, FromUnixSeconds(200)).value(),
            mail::RetryOutcome::kAlreadySent);
  EXPECT_EQ(db().outbox().Retry(id + 100, FromUnixSeconds(200)).value(),
            mail::RetryOutcome::kNotFound);
  auto waiting = Queue(100);
  ASSERT_EQ(ClaimIds("n", 100).size(), 1u);
  ASSERT_TRUE(db().outbox().Reschedule(waiting, "n", FromUnixSeconds(9000), "later").value());
  EXPECT_EQ(db().outbox().Retry(waiting, FromUnixSeconds(200)).value(),
            mail::RetryOutcome::kRequeued);
  EXPECT_EQ(ClaimIds("n", 200), std::vector<std::int64_t>{waiting}) << "due now, not at 9000";
}

TEST_P(ContractOutbox, ListAndStats) {
  auto stats = db().outbox().Stats().value();
  EXPECT_EQ(stats.queued + stats.sent + stats.failed, 0);
  EXPECT_FALSE(stats.oldest_unsent);
  auto a = Queue(100), b = Queue(200), c = Queue(300);
  ASSERT_EQ(ClaimIds("n", 200).size(), 2u);
  ASSERT_TRUE(db().outbox().MarkSent(a, FromUnixSeconds(201), "<a@x>").value());
  ASSERT_TRUE(db().outbox().GiveUp(b, "n", FromUnixSeconds(202), "bad").value());
  stats = db().outbox().Stats().value();
  EXPECT_EQ(stats.queued, 1);
  EXPECT_EQ(stats.sent, 1);
  EXPECT_EQ(stats.failed, 1);
  EXPECT_EQ(stats.oldest_unsent, FromUnixSeconds(300));
  auto all = db().outbox().List(std::nullopt, 10).value();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, c) << "newest first";
  EXPECT_EQ(all[2].id, a);
  auto failed = db().outbox().List(mail::MailState::kFailed, 10).value();
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].id, b);
  EXPECT_EQ(db().outbox().List(std::nullopt, 1).value().size(), 1u);
}

TEST_P(ContractOutbox, ConcurrentClaims_FromTwoNodes_TakeEveryRowOnce) {
  constexpr int kRows = 60;
  std::set<std::int64_t> queued;
  for (int i = 0; i < kRows; ++i) queued.insert(Queue(100));
  auto other = Open(4);
  std::vector<std::int64_t> got[2];
  auto drain = [](store::Database& d, std::string who, std::vector<std::int64_t>& out) {
    for (;;) {
      auto claimed = d.outbox().Claim(who, FromUnixSeconds(100), FromUnixSeconds(1000), 3);
      ASSERT_TRUE(claimed) << claimed.error().message;
      if (claimed->empty()) return;
      for (const auto& m : *claimed) out.push_back(m.id);
    }
  };
  std::thread t1(drain, std::ref(db()), "node-1", std::ref(got[0]));
  std::thread t2(drain, std::ref(*other), "node-2", std::ref(got[1]));
  t1.join();
  t2.join();
  std::multiset<std::int64_t> all(got[0].begin(), got[0].end());
  all.insert(got[1].begin(), got[1].end());
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kRows)) << "no row taken twice";
  EXPECT_EQ(std::set<std::int64_t>(all.begin(), all.end()), queued) << "every row taken";
}

}  // namespace
}  // namespace latchkey::testing

namespace latchkey::testing {
namespace {

TEST_P(ContractOutbox, DeleteFinishedBefore_SentAndGivenUpOnlyQueuedKeptWhateverItsAge) {
  auto sent = Queue(100), failed = Queue(100), queued = Queue(100);
  ASSERT_EQ(ClaimIds("n", 100).size(), 3u);
  ASSERT_TRUE(db().outbox().MarkSent(sent, FromUnixSeconds(200), "<a@x>").value());
  ASSERT_TRUE(db().outbox().GiveUp(failed, "n", FromUnixSeconds(300), "550").value());
  EXPECT_EQ(db().outbox().DeleteFinishedBefore(FromUnixSeconds(200)).value(), 0);
  EXPECT_EQ(db().outbox().DeleteFinishedBefore(FromUnixSeconds(201)).value(), 1);
  EXPECT_EQ(db().outbox().DeleteFinishedBefore(FromUnixSeconds(300)).value(), 0);
  EXPECT_EQ(db().outbox().DeleteFinishedBefore(FromUnixSeconds(301)).value(), 1);
  EXPECT_EQ(db().outbox().DeleteFinishedBefore(FromUnixSeconds(1'000'000)).value(), 0);
  auto left = db().outbox().List(std::nullopt, 10).value();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].id, queued);
}

}  // namespace
}  // namespace latchkey::testing
