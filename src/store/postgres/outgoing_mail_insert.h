// Queues a message in the mail outbox (migration 7's mail_outbox) on the caller's connection,
// inside the caller's transaction: the change that needs the mail and the mail commit or roll
// back together (issue 19, "an outbox table written in the same transaction"). The row is due
// at once (next_attempt_at = now); the sender (mail/outbox_sender.h) takes it from there.
// Thread-safety: as the Connection (one thread).
#pragma once

#include <cstdint>

#include "base/clock.h"
#include "base/errc.h"
#include "mail/outgoing_mail.h"
#include "store/postgres/connection.h"

namespace latchkey::store::postgres {

// The new row's id. Errors: kStorageUnavailable (logged, nothing of the mail in the line).
Result<std::int64_t> InsertOutgoingMail(Connection& conn, const mail::OutgoingMail& mail,
                                        UnixTime now);

}  // namespace latchkey::store::postgres
