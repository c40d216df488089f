// session::Restrictions and RestrictionPolicy (session/principal.h): which restrictions a live
// session carries under the settings, and what a route that admits some leaves refused.
#include <gtest/gtest.h>

#include "session/principal.h"

namespace latchkey::session {
namespace {

identity::User UserWith(bool email_verified) {
  identity::User user;
  user.email = "a@example.org";
  user.email_verified = email_verified;
  return user;
}

TEST(RestrictionPolicyTest, FlagOff_NoRestrictionWhateverTheAddress) {
  RestrictionPolicy policy;
  EXPECT_TRUE(policy.Of(UserWith(false)).empty());
  EXPECT_TRUE(policy.Of(identity::User{}).empty());
}

TEST(RestrictionPolicyTest, FlagOn_UnverifiedOrNoAddress_EmailUnverified) {
  RestrictionPolicy policy{true};
  EXPECT_TRUE(policy.Of(UserWith(false)).Has(Restriction::kEmailUnverified));
  EXPECT_TRUE(policy.Of(identity::User{}).Has(Restriction::kEmailUnverified));
  EXPECT_TRUE(policy.Of(UserWith(true)).empty());
}

TEST(RestrictionsTest, Except_LeavesWhatTheRouteDoesNotAdmit) {
  Restrictions carried = Restriction::kEmailUnverified;
  EXPECT_EQ(carried.Except({}), carried);
  EXPECT_TRUE(carried.Except(Restriction::kEmailUnverified).empty());
  EXPECT_TRUE(carried.Except(Restrictions::All()).empty());
  EXPECT_TRUE(Restrictions().Except({}).empty());
}

TEST(RestrictionsTest, Principal_CarriesItsRestrictions) {
  auto resolved = std::make_shared<const ResolvedSession>(ResolvedSession{{}, UserWith(false)});
  Resolution live = Resolution::Live(resolved, Restriction::kEmailUnverified);
  EXPECT_TRUE(live.principal->restrictions().Has(Restriction::kEmailUnverified));
  EXPECT_TRUE(Resolution::Live(resolved).principal->restrictions().empty());
}

}  // namespace
}  // namespace latchkey::session
