#include "store/sqlite/outgoing_mail_insert.h"

#include "store/sqlite/query.h"

namespace latchkey::store::sqlite {
namespace {

constexpr const char* kInsertMail =
    "INSERT INTO mail_outbox (kind, recipient, user_id, payload, created_at, next_attempt_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?5)";

}  // namespace

Result<std::int64_t> InsertOutgoingMail(Connection& conn, const mail::OutgoingMail& mail,
                                        UnixTime now) {
  auto inserted = Run(conn, kInsertMail, "queue mail", mail.kind, mail.recipient, mail.user_id,
                      mail.payload, now);
  if (!inserted) return inserted.error();
  return conn.LastInsertRowId();
}

}  // namespace latchkey::store::sqlite
