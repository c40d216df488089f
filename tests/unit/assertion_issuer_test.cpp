// assertion/assertion_issuer.h: the claims of a principal, exp never more than the lifetime
// (at most 60 s) after iat, the per-(session, audience) cache with its refresh between a half
// and a third of the lifetime before exp (spread per key), its bound, and many threads at
// once. Time from a FakeClock.
#include <algorithm>
#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "assertion/assertion_issuer.h"
#include "assertion_test_support.h"

namespace latchkey::assertion {
namespace {

using testing::MakePrincipal;
using testing::Split;

constexpr UnixTime kStart = FromUnixSeconds(1'800'000'000);

class AssertionIssuerTest : public ::testing::Test {
 protected:
  IssuerPolicy Policy(Seconds lifetime = Seconds(60), std::size_t entries = 1000) {
    return IssuerPolicy{"https://app.example.com", lifetime, entries};
  }
  FakeClock clock_{kStart};
  SigningKeys keys_ = SigningKeys::Generate(Algorithm::kEdDSA, kStart);
  session::Principal ada_ =
      MakePrincipal(identity::UserId{42}, "ada", session::SessionId("sid-ada-0000000000000"),
                    kStart + Seconds(86400));
};

TEST_F(AssertionIssuerTest, Issue_Principal_ClaimsOfTheSessionSignedWithTheCurrentKey) {
  AssertionIssuer issuer(keys_, clock_, Policy());
  auto p = Split(issuer.Issue(ada_, "/api/notes"));
  EXPECT_EQ(p.header.at("kid").as_string(), keys_.current().kid());
  EXPECT_EQ(p.header.at("alg").as_string(), "EdDSA");
  EXPECT_EQ(p.claims.at("iss").as_string(), "https://app.example.com");
  EXPECT_EQ(p.claims.at("aud").as_string(), "/api/notes");
  EXPECT_EQ(p.claims.at("sub").as_string(), "42");
  EXPECT_EQ(p.claims.at("sid").as_string(), "sid-ada-0000000000000");
  EXPECT_EQ(p.claims.at("username").as_string(), "ada");
  EXPECT_EQ(p.claims.at("iat").as_int64(), ToUnixSeconds(kStart));
  EXPECT_EQ(p.claims.at("exp").as_int64(), ToUnixSeconds(kStart + Seconds(60)));
  EXPECT_TRUE(keys_.current().Verify(p.signing_input, p.signature));
  EXPECT_EQ(std::string(p.signing_input).find(std::string(64, 'f')), std::string::npos);
}

TEST_F(AssertionIssuerTest, Issue_ShorterLifetime_ExpIsIatPlusLifetime) {
  AssertionIssuer issuer(keys_, clock_, Policy(Seconds(15)));
  auto p = Split(issuer.Issue(ada_, "aud"));
  EXPECT_EQ(p.claims.at("exp").as_int64() - p.claims.at("iat").as_int64(), 15);
}

TEST_F(AssertionIssuerTest, Issue_SessionEndsSooner_ExpIsTheSessionsEnd) {
  AssertionIssuer issuer(keys_, clock_, Policy());
  auto ending = MakePrincipal(identity::UserId{7}, "bob",
                              session::SessionId("sid-bob-0000000000000"), kStart + Seconds(20));
  auto p = Split(issuer.Issue(ending, "aud"));
  EXPECT_EQ(p.claims.at("exp").as_int64(), ToUnixSeconds(kStart + Seconds(20)));
}

// Whatever the lifetime (1-60 s) and the key's spread, a reused token has more than
// ceil(lifetime/3) seconds left: with whole seconds counted, at least one more.
TEST_F(AssertionIssuerTest, Issue_AnyLifetime_ReusedTokenHasMoreThanAThirdRoundedUpLeft) {
  for (int lifetime : {1, 2, 3, 4, 5, 6, 7, 15, 60}) {
    AssertionIssuer issuer(keys_, clock_, Policy(Seconds(lifetime)));
    const std::int64_t third_up = (lifetime + 2) / 3;
    for (int i = 0; i < 40; ++i) {
      auto principal =
          MakePrincipal(identity::UserId{i}, "u", session::SessionId("sid-l-" + std::to_string(i)),
                        clock_.Now() + Seconds(86400));
      std::string token = issuer.Issue(principal, "aud");
      for (int t = 1; t <= lifetime; ++t) {
        clock_.Advance(Seconds(1));
        std::string again = issuer.Issue(principal, "aud");
        if (again != token) break;
        std::int64_t left = Split(again).claims.at("exp").as_int64() - ToUnixSeconds(clock_.Now());
        EXPECT_GE(left, third_up + 1) << "lifetime " << lifetime << ", " << t << " s after";
      }
    }
  }
}

// Near the session's absolute end the token ends with it, and is reused until then: exp is
// never later than the session's end, whatever is left.
TEST_F(AssertionIssuerTest, Issue_SessionEndsBeforeTheRefresh_ReusedUntilItsEnd) {
  AssertionIssuer issuer(keys_, clock_, Policy());
  auto ending = MakePrincipal(identity::UserId{7}, "bob",
                              session::SessionId("sid-bob-0000000000000"), kStart + Seconds(10));
  std::string first = issuer.Issue(ending, "aud");
  clock_.Advance(Seconds(9));
  EXPECT_EQ(issuer.Issue(ending, "aud"), first);
  EXPECT_EQ(Split(first).claims.at("exp").as_int64(), ToUnixSeconds(kStart + Seconds(10)));
}

TEST_F(AssertionIssuerTest, Constructor_LifetimeAbove60sOrBelow1s_Throws) {
  EXPECT_THROW(AssertionIssuer(keys_, clock_, Policy(Seconds(61))), std::invalid_argument);
  EXPECT_THROW(AssertionIssuer(keys_, clock_, Policy(Seconds(0))), std::invalid_argument);
  EXPECT_NO_THROW(AssertionIssuer(keys_, clock_, Policy(Seconds(60))));
}

TEST_F(AssertionIssuerTest, Issue_WithinHalfTheLifetime_ReusesTheCachedToken) {
  AssertionIssuer issuer(keys_, clock_, Policy(Seconds(60)));
  std::string first = issuer.Issue(ada_, "/api/notes");
  clock_.Advance(Seconds(29));  // 31 s left: more than a half, whatever the key's spread
  EXPECT_EQ(issuer.Issue(ada_, "/api/notes"), first);
  EXPECT_EQ(issuer.size(), 1u);
}

TEST_F(AssertionIssuerTest, Issue_AThirdOfTheLifetimeLeft_SignsANewToken) {
  AssertionIssuer issuer(keys_, clock_, Policy(Seconds(60)));
  std::string first = issuer.Issue(ada_, "/api/notes");
  clock_.Advance(Seconds(40));  // 20 s left: a third, the latest refresh
  std::string second = issuer.Issue(ada_, "/api/notes");
  EXPECT_NE(second, first);
  auto p = Split(second);
  EXPECT_EQ(p.claims.at("iat").as_int64(), ToUnixSeconds(kStart + Seconds(40)));
  EXPECT_EQ(p.claims.at("exp").as_int64(), ToUnixSeconds(kStart + Seconds(100)));
  clock_.Advance(Seconds(1));
  EXPECT_EQ(issuer.Issue(ada_, "/api/notes"), second) << "the new one is cached in turn";
}

// Every token is re-signed between 30 and 40 s after it was signed; tokens signed in the same
// second come due over those ten seconds, not all in one (a restart, or a burst of logins,
// would otherwise re-sign every session at once every 40 s).
TEST_F(AssertionIssuerTest, Issue_ManySessionsSignedTogether_ComeDueOverASixthOfTheLifetime) {
  AssertionIssuer issuer(keys_, clock_, Policy(Seconds(60)));
  constexpr int kSessions = 600;
  auto principal = [](int i) {
    return MakePrincipal(identity::UserId{i}, "u", session::SessionId("sid-" + std::to_string(i)),
                         kStart + Seconds(86400));
  };
  std::vector<std::string> first;
  for (int i = 0; i < kSessions; ++i) first.push_back(issuer.Issue(principal(i), "aud"));
  std::vector<int> due_at(kSessions, 0);
  for (int t = 1; t <= 40; ++t) {
    clock_.Advance(Seconds(1));
    for (int i = 0; i < kSessions; ++i) {
      if (due_at[i] == 0 && issuer.Issue(principal(i), "aud") != first[i]) due_at[i] = t;
    }
  }
  std::set<int> seconds(due_at.begin(), due_at.end());
  EXPECT_EQ(*seconds.begin(), 30) << "never before half the lifetime";
  EXPECT_EQ(*seconds.rbegin(), 40) << "never after two thirds (a third left)";
  EXPECT_EQ(seconds.size(), 11u) << "every second of the spread is used";
  EXPECT_LT(std::count(due_at.begin(), due_at.end(), 40), kSessions / 5);
}

TEST_F(AssertionIssuerTest, Issue_OtherAudienceOrSession_OtherToken) {
  AssertionIssuer issuer(keys_, clock_, Policy());
  auto other_session =
      MakePrincipal(identity::UserId{42}, "ada", session::SessionId("sid-ada-1111111111111"),
                    kStart + Seconds(86400));
  std::string notes = issuer.Issue(ada_, "/api/notes");
  std::string files = issuer.Issue(ada_, "/api/files");
  std::string phone = issuer.Issue(other_session, "/api/notes");
  EXPECT_NE(notes, files);
  EXPECT_NE(notes, phone);
  EXPECT_EQ(Split(files).claims.at("aud").as_string(), "/api/files");
  EXPECT_EQ(Split(phone).claims.at("sid").as_string(), "sid-ada-1111111111111");
  EXPECT_EQ(issuer.size(), 3u);
}

TEST_F(AssertionIssuerTest, Issue_UserRenamed_NewTokenWithTheNewName) {
  AssertionIssuer issuer(keys_, clock_, Policy());
  std::string before = issuer.Issue(ada_, "aud");
  auto renamed =
      MakePrincipal(identity::UserId{42}, "ada.l", session::SessionId("sid-ada-0000000000000"),
                    kStart + Seconds(86400));
  std::string after = issuer.Issue(renamed, "aud");
  EXPECT_NE(after, before);
  EXPECT_EQ(Split(after).claims.at("username").as_string(), "ada.l");
}

TEST_F(AssertionIssuerTest, Issue_NoCache_SignsEveryCallAndHoldsNothing) {
  AssertionIssuer issuer(keys_, clock_, Policy(Seconds(60), 0));
  std::string a = issuer.Issue(ada_, "aud");
  std::string b = issuer.Issue(ada_, "aud");
  EXPECT_EQ(issuer.size(), 0u);
  // Ed25519 is deterministic: same claims, same token; still valid.
  EXPECT_EQ(a, b);
  auto p = Split(b);
  EXPECT_TRUE(keys_.current().Verify(p.signing_input, p.signature));
}

TEST_F(AssertionIssuerTest, Issue_ManySessions_BoundedAndExpiredEntriesGoFirst) {
  AssertionIssuer issuer(keys_, clock_, Policy(Seconds(60), 160));  // 10 per shard
  for (int i = 0; i < 1000; ++i) {
    issuer.Issue(
        MakePrincipal(identity::UserId{i}, "u", session::SessionId("sid-" + std::to_string(i)),
                      kStart + Seconds(86400)),
        "aud");
  }
  EXPECT_LE(issuer.size(), 160u);
  // Once every entry is past its refresh time, new sessions push the dead ones out.
  clock_.Advance(Seconds(61));
  for (int i = 0; i < 16; ++i) {
    issuer.Issue(
        MakePrincipal(identity::UserId{i}, "u", session::SessionId("sid-new-" + std::to_string(i)),
                      kStart + Seconds(86400)),
        "aud");
  }
  EXPECT_LE(issuer.size(), 160u);
  EXPECT_GE(issuer.size(), 1u);
}

TEST_F(AssertionIssuerTest, Issue_ManyThreads_EveryTokenValidAndCachedOncePerKey) {
  AssertionIssuer issuer(keys_, clock_, Policy());
  std::vector<session::Principal> principals;
  for (int i = 0; i < 8; ++i) {
    principals.push_back(MakePrincipal(identity::UserId{i}, "u" + std::to_string(i),
                                       session::SessionId("sid-" + std::to_string(i)),
                                       kStart + Seconds(86400)));
  }
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < 500; ++n) {
        const auto& who = principals[(n + t) % principals.size()];
        auto p = Split(issuer.Issue(who, n % 2 ? "a" : "b"));
        if (p.claims.at("sid").as_string() != who.session_id().value()) ++bad;
        if (n % 50 == 0 && !keys_.current().Verify(p.signing_input, p.signature)) ++bad;
        if (n % 100 == 0) clock_.Advance(Seconds(1));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(issuer.size(), 16u);
}

// Without a cache every call signs: one EVP_PKEY shared by threads that sign at once (OpenSSL 3
// allows concurrent use of a key that no one modifies), for both algorithms.
TEST_F(AssertionIssuerTest, Issue_NoCacheManyThreads_EverySignatureVerifies) {
  for (Algorithm alg : {Algorithm::kEdDSA, Algorithm::kES256}) {
    SigningKeys keys = SigningKeys::Generate(alg, kStart);
    AssertionIssuer issuer(keys, clock_, Policy(Seconds(60), 0));
    std::atomic<int> bad{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int n = 0; n < 100; ++n) {
          auto p = Split(issuer.Issue(ada_, "aud-" + std::to_string(t)));
          if (!keys.current().Verify(p.signing_input, p.signature)) ++bad;
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(bad.load(), 0) << AlgorithmName(alg);
  }
}

}  // namespace
}  // namespace latchkey::assertion
