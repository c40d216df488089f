// Store contract for the writes that change a user and its sessions together, in one
// transaction: signup (a user and its first session) and password change (a new hash, every
// session ended, the caller's replaced). Declared here, not in identity/, because sessions
// depend on users and not the other way round. Implementations: store/sqlite, store/postgres
// (beside their identity::UserStore) and store/caching_store in front of either.
// Blocking: call from a worker pool. Errors: kStorageUnavailable when the database fails.
// Thread-safety: implementations are safe to call from many threads at once.
#pragma once

#include <string_view>

#include "base/errc.h"
#include "identity/user.h"
#include "session/session.h"

namespace latchkey::session {

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // Inserts the user and its first session in one transaction (signup logs the user in):
  // either both rows exist afterwards or neither. first_session.user_id is ignored.
  // Errors: kUsernameTaken (field "username") from the unique constraint.
  virtual Result<identity::User> CreateUserWithSession(const identity::NewUser& user,
                                                       const SessionRecord& first_session) = 0;

  // Password change, in one transaction: sets the new hash, deletes EVERY session of the user
  // and inserts `replacement` (the rotated session of the device that made the change;
  // NIST SP 800-63B: a changed authenticator ends the sessions it opened); the user's pending
  // recovery tokens are deleted too. Errors: kUnauthenticated when the user no longer exists.
  virtual Result<void> ReplacePassword(identity::UserId id, std::string_view password_hash,
                                       const SessionRecord& replacement) = 0;
};

}  // namespace latchkey::session
