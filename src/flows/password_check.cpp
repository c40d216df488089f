#include "flows/password_check.h"

#include "identity/password_prep.h"

namespace latchkey::flows {

bool CheckPassword(const crypto::PasswordHasher& hasher, identity::UserStore& users,
                   const Secret& typed, const identity::UserRecord& record,
                   std::string* stored_hash) {
  if (stored_hash != nullptr) *stored_hash = record.password_hash;
  auto prepared = identity::PreparePassword(typed.Reveal());
  if (!prepared) return hasher.Verify(typed.Reveal(), record.password_hash);  // step 3
  if (hasher.Verify(prepared->Reveal(), record.password_hash)) return true;   // step 1
  if (prepared->Reveal() == typed.Reveal()) return false;
  if (!hasher.Verify(typed.Reveal(), record.password_hash)) return false;  // step 2
  if (auto rehashed = hasher.Hash(prepared->Reveal())) {
    auto written = users.RehashPassword(record.user.id, record.password_hash, *rehashed);
    if (written && *written && stored_hash != nullptr) *stored_hash = std::move(*rehashed);
  }
  return true;
}

bool CheckPasswordDummy(const crypto::PasswordHasher& hasher, const Secret& typed) {
  auto prepared = identity::PreparePassword(typed.Reveal());
  if (!prepared) return hasher.VerifyDummy(typed.Reveal());
  hasher.VerifyDummy(prepared->Reveal());
  if (prepared->Reveal() != typed.Reveal()) hasher.VerifyDummy(typed.Reveal());
  return false;
}

}  // namespace latchkey::flows
