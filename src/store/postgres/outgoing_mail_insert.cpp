#include "store/postgres/outgoing_mail_insert.h"

#include "store/postgres/query.h"

namespace latchkey::store::postgres {
namespace {

constexpr const char* kInsertMail =
    "INSERT INTO mail_outbox (kind, recipient, user_id, payload, created_at, next_attempt_at)"
    " VALUES ($1, $2, $3, $4, $5, $5) RETURNING id";

}  // namespace

Result<std::int64_t> InsertOutgoingMail(Connection& conn, const mail::OutgoingMail& mail,
                                        UnixTime now) {
  Param user = mail.user_id ? Param(*mail.user_id) : Param::Null();
  auto inserted =
      Exec(conn, kInsertMail, "queue mail", {mail.kind, mail.recipient, user, mail.payload, now});
  if (!inserted) return inserted.error();
  if (inserted->rows() != 1) return MakeError(Errc::kStorageUnavailable);
  return inserted->Int(0, 0);
}

}  // namespace latchkey::store::postgres
