#include "contract/contract.h"

#include <stdexcept>

namespace latchkey::testing {

void ContractTest::SetUp() {
  backend_ = GetParam().make();
  db_ = backend_->Open(4);
  ASSERT_EQ(db_->dialect(), GetParam().name);
}

void ContractTest::TearDown() {
  db_.reset();
  backend_.reset();
}

identity::UserId ContractTest::NewUser(const std::string& username) {
  auto created = db().users().CreateUserWithSession(
      MakeUser(username), MakeSession(identity::UserId(0), username + "-0"));
  if (!created) throw std::runtime_error("signup failed: " + created.error().message);
  return created->id;
}

bool ContractTest::Exists(const std::string& tag) {
  return db().sessions().FindSessionByTokenHash(TokenHashOf(tag)).value().has_value();
}

}  // namespace latchkey::testing
