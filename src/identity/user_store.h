// Store contract for users. Every method blocks on I/O: call from a worker pool.
// Errors: kStorageUnavailable when the database fails; kUsernameTaken from the unique
// constraint (never a read-then-write check, so it holds under concurrent signups).
// Thread-safety: implementations are safe to call from many threads at once.
#pragma once

#include <optional>
#include <string_view>

#include "base/errc.h"
#include "identity/user.h"
#include "session/session.h"

namespace latchkey::identity {

class UserStore {
 public:
  virtual ~UserStore() = default;

  // Inserts the user and its first session in one transaction (signup logs the user in):
  // either both rows exist afterwards or neither. first_session.user_id is ignored.
  virtual Result<User> CreateUserWithSession(const NewUser& user,
                                             const session::SessionRecord& first_session) = 0;

  // Case-insensitive lookup (ASCII).
  virtual Result<std::optional<UserRecord>> FindUserByUsername(std::string_view username) = 0;

  // Deletes the user; its sessions go with it (ON DELETE CASCADE). True when a row was deleted.
  virtual Result<bool> DeleteUser(UserId id) = 0;
};

}  // namespace latchkey::identity
