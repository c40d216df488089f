// Store contract for users. Every method blocks on I/O: call from a worker pool.
// Errors: kStorageUnavailable when the database fails; kUsernameTaken from the unique
// constraint (never a read-then-write check, so it holds under concurrent signups).
// Thread-safety: implementations are safe to call from many threads at once.
#pragma once

#include <optional>
#include <string_view>

#include "base/errc.h"
#include "identity/user.h"

namespace latchkey::identity {

class UserStore {
 public:
  virtual ~UserStore() = default;

  // Inserts a user without a session (`latchkey user add`). Errors: kUsernameTaken.
  virtual Result<User> CreateUser(const NewUser& user) = 0;

  // Case-insensitive lookup (ASCII).
  virtual Result<std::optional<UserRecord>> FindUserByUsername(std::string_view username) = 0;

  virtual Result<std::optional<UserRecord>> FindUserById(UserId id) = 0;

  // The user whose VERIFIED address has this key (identity/email.h EmailKey), or nullopt;
  // unverified addresses are never found (recovery mails only proven addresses).
  virtual Result<std::optional<UserRecord>> FindUserByVerifiedEmail(std::string_view email_key) = 0;

  // Deletes the user; its sessions go with it (ON DELETE CASCADE). True when a row was deleted.
  virtual Result<bool> DeleteUser(UserId id) = 0;

  // Sets the display name; returns the updated user. Errors: kUnauthenticated when the user
  // no longer exists.
  virtual Result<User> UpdateName(UserId id, std::string_view name) = 0;

  // A new spelling of the SAME address (its key, identity/email.h, unchanged: the domain's
  // case): sets `email` while the stored key is still EmailKey(email); verification and
  // pending tokens stay. Returns the user as stored (unchanged when the key differs by now).
  // Errors: kUnauthenticated when the user does not exist.
  virtual Result<User> RespellEmail(UserId id, std::string_view email) = 0;

  // An operator's password reset (`latchkey user set-password`), in one transaction: sets
  // the new hash and deletes EVERY session of the user (NIST SP 800-63B 6.1.2.3: a changed
  // authenticator ends the sessions it opened) and its pending recovery tokens. False when
  // the user does not exist.
  virtual Result<bool> ResetPassword(UserId id, std::string_view password_hash) = 0;

  // A new hash of the SAME password (a rehash at login: the hash of the password's prepared
  // form replacing one of its raw form, identity/password_prep.h), written only while the
  // stored hash is still `old_hash`: a password change or reset that committed meanwhile
  // wins. Sessions are untouched (the authenticator did not change). False when nothing was
  // written (the user is gone or its hash changed).
  virtual Result<bool> RehashPassword(UserId id, std::string_view old_hash,
                                      std::string_view new_hash) = 0;

  // Disables (at > 0) or enables (at == 0) the user and deletes ALL its sessions and pending
  // recovery tokens, in one transaction. A disabled user cannot log in; its sessions never resolve,
  // and one a login racing the disable inserted is deleted when it is enabled again (never comes
  // back to life). False when the user does not exist.
  virtual Result<bool> SetDisabled(UserId id, UnixTime at) = 0;
};

}  // namespace latchkey::identity
