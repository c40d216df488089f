// Users: the principals that sessions belong to. A user row never leaves the store with its
// password hash except as UserRecord, which the API layer never serialises.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/tagged.h"

namespace latchkey::identity {

// A user's id: the store's 64-bit key (its rowid / BIGSERIAL).
struct UserIdTag;
using UserId = Tagged<std::int64_t, UserIdTag>;

// What a client may see of a user: GET /api/auth's {"user": {...}}.
struct User {
  UserId id;
  std::string username;         // as typed at signup; unique without regard to ASCII case
  std::string name;             // display name, 0-100 characters
  std::string email = {};       // as given (identity/email.h), or empty: none
  bool email_verified = false;  // the owner proved control of `email` (a verify token)
};

// A user as stored, with its credential. Never serialised.
struct UserRecord {
  User user;
  std::string password_hash;  // PHC-style string, see crypto/password_hasher.h
  UnixTime created_at{};
  UnixTime disabled_at{};        // when an operator disabled the account; UnixTime{}: enabled
  UnixTime email_verified_at{};  // when `user.email` was verified; UnixTime{}: not verified
};

// The password_hash of an account whose password no longer works (the owner undid an email
// change: whoever made it may know the password). No hash format starts with '!' (as in
// Django), so the hasher refuses every password against it, in the time of a wrong one
// (crypto::PasswordHasher::Verify); recovery sets a new one.
inline constexpr std::string_view kUnusablePasswordHash = "!";

// Input of a new user; the password is already hashed.
struct NewUser {
  std::string username;
  std::string name;
  std::string password_hash;
  UnixTime created_at{};
  std::string email = {};  // validated (identity/email.h), or empty; never verified at creation
};

}  // namespace latchkey::identity
