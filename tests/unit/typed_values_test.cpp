// The ids and hashes of the domain are distinct types (base/tagged.h): a session's token hash,
// its public id and a user id cannot be swapped for one another, nor given as raw strings or
// integers, without the compiler refusing. These checks are the compile errors, asked as traits.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_set>

#include "base/secret.h"
#include "identity/user.h"
#include "session/session.h"
#include "session/session_store.h"

namespace latchkey {
namespace {

using identity::UserId;
using session::SessionId;
using session::SessionStore;
using session::TokenHash;

static_assert(!std::is_convertible_v<SessionId, TokenHash>);
static_assert(!std::is_convertible_v<TokenHash, SessionId>);
static_assert(!std::is_constructible_v<TokenHash, SessionId>);
static_assert(!std::is_constructible_v<SessionId, TokenHash>);
static_assert(!std::is_convertible_v<std::string, TokenHash>, "construction is explicit");
static_assert(!std::is_convertible_v<const char*, SessionId>, "construction is explicit");
static_assert(!std::is_convertible_v<std::int64_t, UserId>, "construction is explicit");
static_assert(!std::is_convertible_v<TokenHash, std::string_view>, "no way back but value()");

// The store's contract takes each by its type: a public id where a token hash is expected
// (the mistake that would let a shown id end a session by token) does not compile.
static_assert(std::is_invocable_v<decltype(&SessionStore::DeleteSessionByTokenHash), SessionStore&,
                                  const TokenHash&>);
static_assert(!std::is_invocable_v<decltype(&SessionStore::DeleteSessionByTokenHash), SessionStore&,
                                   const SessionId&>);
static_assert(!std::is_invocable_v<decltype(&SessionStore::FindSessionById), SessionStore&,
                                   const TokenHash&>);
static_assert(!std::is_invocable_v<decltype(&SessionStore::DeleteUserSession), SessionStore&,
                                   std::int64_t, const SessionId&>);

// A secret is neither streamable nor convertible to a string.
template <class T>
concept Streamable = requires(std::ostream& os, const T& t) {
  os << t;
};
static_assert(!Streamable<Secret>);
static_assert(!std::is_convertible_v<Secret, std::string>);
static_assert(!std::is_convertible_v<Secret, std::string_view>);
static_assert(std::is_convertible_v<std::string, Secret>, "anything may go in");

TEST(TypedValues, CompareAndHashAsTheirValue) {
  EXPECT_EQ(TokenHash("ab"), TokenHash("ab"));
  EXPECT_NE(TokenHash("ab"), TokenHash("ac"));
  EXPECT_LT(UserId(1), UserId(2));
  std::unordered_set<TokenHash> set{TokenHash("x"), TokenHash("x"), TokenHash("y")};
  EXPECT_EQ(set.size(), 2u);
  EXPECT_EQ(UserId().value(), 0) << "a default id is 0: no user";
}

TEST(TypedValues, SecretMovedFromIsEmpty) {
  Secret a(std::string("short"));  // fits the inline buffer: the case a move leaves behind
  Secret b(std::move(a));
  EXPECT_EQ(b.Reveal(), "short");
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): checking the wiped source
  Secret c;
  c = std::move(b);
  EXPECT_EQ(c.Reveal(), "short");
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
}

}  // namespace
}  // namespace latchkey
