// The mail outbox's in-transaction insert (store/<dialect>/outgoing_mail_insert.h) on every
// dialect: a committed insert leaves one due, queued row as given; a rolled-back transaction
// leaves none (the change and its mail go together, issue 19).
#include "contract/contract.h"

namespace latchkey::testing {
namespace {

class ContractOutboxInsert : public ContractTest {};
LATCHKEY_CONTRACT_SUITE(ContractOutboxInsert);

mail::OutgoingMail Mail(std::optional<std::int64_t> user_id) {
  return mail::OutgoingMail{"verify_email", "Ann@Example.org", user_id, "v1.sealed-payload"};
}

TEST_P(ContractOutboxInsert, Committed_WritesOneQueuedRowDueNow) {
  auto id = backend().InsertMailInTransaction(Mail(42), FromUnixSeconds(1000), /*commit=*/true);
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_GT(*id, 0);
  EXPECT_EQ(backend().QueryInt("SELECT count(*) FROM mail_outbox"), 1);
  EXPECT_EQ(
      backend().QueryInt("SELECT count(*) FROM mail_outbox WHERE kind = 'verify_email'"
                         " AND recipient = 'Ann@Example.org' AND user_id = 42"
                         " AND payload = 'v1.sealed-payload' AND state = 'queued' AND attempts = 0"
                         " AND created_at = 1000 AND next_attempt_at = 1000 AND sent_at IS NULL"
                         " AND claimed_by = '' AND claimed_until = 0"),
      1);
  EXPECT_EQ(backend().QueryInt("SELECT max(id) FROM mail_outbox"), *id);
}

TEST_P(ContractOutboxInsert, NoUser_StoresNull) {
  ASSERT_TRUE(backend().InsertMailInTransaction(Mail(std::nullopt), FromUnixSeconds(5), true));
  EXPECT_EQ(backend().QueryInt("SELECT count(*) FROM mail_outbox WHERE user_id IS NULL"), 1);
}

TEST_P(ContractOutboxInsert, RolledBack_LeavesNoRow) {
  auto id = backend().InsertMailInTransaction(Mail(7), FromUnixSeconds(1000), /*commit=*/false);
  ASSERT_TRUE(id) << "the insert itself succeeded inside the transaction";
  EXPECT_EQ(backend().QueryInt("SELECT count(*) FROM mail_outbox"), 0);
  ASSERT_TRUE(backend().InsertMailInTransaction(Mail(7), FromUnixSeconds(1001), true));
  EXPECT_EQ(backend().QueryInt("SELECT count(*) FROM mail_outbox"), 1);
}

}  // namespace
}  // namespace latchkey::testing
