// Users: the principals that sessions belong to. A user row never leaves the store with its
// password hash except as UserRecord, which the API layer never serialises.
#pragma once

#include <cstdint>
#include <string>

#include "base/clock.h"
#include "base/tagged.h"

namespace latchkey::identity {

// A user's id: the store's 64-bit key (its rowid / BIGSERIAL).
struct UserIdTag;
using UserId = Tagged<std::int64_t, UserIdTag>;

// What a client may see of a user: GET /api/auth's {"user": {...}}.
struct User {
  UserId id;
  std::string username;  // as typed at signup; unique without regard to ASCII case
  std::string name;      // display name, 0-100 characters
};

// A user as stored, with its credential. Never serialised.
struct UserRecord {
  User user;
  std::string password_hash;  // PHC-style string, see crypto/password_hasher.h
  UnixSeconds created_at = 0;
  UnixSeconds disabled_at = 0;  // when an operator disabled the account; 0: enabled
};

// Input of a new user; the password is already hashed.
struct NewUser {
  std::string username;
  std::string name;
  std::string password_hash;
  UnixSeconds created_at = 0;
};

}  // namespace latchkey::identity
