// Checking a typed password against a user's stored hash (login, re-authentication before
// a password change or an account removal), with the preparation of identity/password_prep.h
// and the upgrade of hashes made before it.
//
// The order (docs/SECURITY.md "Unicode passwords"):
//   1. the prepared form (RFC 8265 OpaqueString) against the hash: every hash made since
//      passwords are prepared is of a prepared form;
//   2. only when 1 failed and the typed bytes differ from the prepared form: the typed bytes
//      as they are (a hash made before, of whatever the browser sent then); on a match the
//      prepared form is hashed and stored in its place (UserStore::RehashPassword), so the
//      next login needs one check and any encoding of the password matches;
//   3. a typed password that cannot be prepared (a TAB or another character refused since)
//      is checked as typed only, so an older password keeps working; it is never rehashed.
// Step 2 cannot open a post-change hash to a second string: a hash of a prepared form P
// matches typed bytes T only when T == P, and then T is already prepared (preparation is
// idempotent), so step 2 does not run.
// Timing: step 2 costs a second verification only when the typed bytes are not prepared and
// the first check failed; CheckDummy, for unknown users, verifies the dummy hash as many times
// as Check would for a wrong password, so both failures still take the same time.
// Blocking (one or two hash verifications, sometimes a hash and a store write): call from the
// hashing pool. Thread-safety: as the hasher and the store.
#pragma once

#include "base/secret.h"
#include "crypto/password_hasher.h"
#include "identity/user.h"
#include "identity/user_store.h"

namespace latchkey::flows {

// True when `typed` is the password of `record`. A store error while rehashing leaves the
// old hash (the next login tries again) and does not fail the check. `stored_hash`, when not
// null, is set on success to the hash stored once the check is done: the rehashed one after
// step 2 (when the rehash was written), else record.password_hash. A login inserts its
// session only while that is still the user's hash (SessionStore::InsertSessionIfPassword).
bool CheckPassword(const crypto::PasswordHasher& hasher, identity::UserStore& users,
                   const Secret& typed, const identity::UserRecord& record,
                   std::string* stored_hash = nullptr);

// The same work as a failing CheckPassword, against the hasher's dummy hash: false.
bool CheckPasswordDummy(const crypto::PasswordHasher& hasher, const Secret& typed);

}  // namespace latchkey::flows
