// assertion/signing_key.h, assertion/jwt.h, assertion/signing_keys.h: the JWS is what RFC 7515,
// 7518, 7519, 7638 and 8037 say, for both algorithms; the key file keeps its keys private and
// rotates as documented. (tests/api/assertion.test.mjs verifies the same tokens with npm jose.)
#include <openssl/evp.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "assertion/jwt.h"
#include "assertion/signing_keys.h"
#include "assertion_test_support.h"
#include "test_support.h"

namespace latchkey::assertion {
namespace {

using testing::Split;

constexpr UnixTime kNow = FromUnixSeconds(1'800'000'000);

Claims SampleClaims() {
  return Claims{"https://app.example.com", "/api/notes", "42",
                "c2Vzc2lvbi1pZC1wdWJsaWM", "ada",        kNow,
                kNow + Seconds(60)};
}

class SigningKeyTest : public ::testing::TestWithParam<Algorithm> {};

TEST_P(SigningKeyTest, EncodeJwt_SignedToken_VerifiesWithItsKeyAndCarriesTheClaims) {
  SigningKey key = SigningKey::Generate(GetParam(), kNow);
  std::string token = EncodeJwt(key, SampleClaims());
  auto p = Split(token);
  EXPECT_EQ(p.header.at("alg").as_string(), AlgorithmName(GetParam()));
  EXPECT_EQ(p.header.at("kid").as_string(), key.kid());
  EXPECT_EQ(p.header.at("typ").as_string(), "JWT");
  EXPECT_EQ(p.claims.at("iss").as_string(), "https://app.example.com");
  EXPECT_EQ(p.claims.at("aud").as_string(), "/api/notes");
  EXPECT_EQ(p.claims.at("sub").as_string(), "42");
  EXPECT_EQ(p.claims.at("sid").as_string(), "c2Vzc2lvbi1pZC1wdWJsaWM");
  EXPECT_EQ(p.claims.at("username").as_string(), "ada");
  EXPECT_EQ(p.claims.at("iat").as_int64(), ToUnixSeconds(kNow));
  EXPECT_EQ(p.claims.at("exp").as_int64(), ToUnixSeconds(kNow + Seconds(60)));
  EXPECT_EQ(p.claims.size(), 7u) << "no other claim";
  ASSERT_EQ(p.signature.size(), kSignatureBytes) << "raw 64 bytes (ES256: r||s, not DER)";
  EXPECT_TRUE(key.Verify(p.signing_input, p.signature));
}

TEST_P(SigningKeyTest, Verify_TamperedPayloadOrOtherKey_Refused) {
  SigningKey key = SigningKey::Generate(GetParam(), kNow);
  auto p = Split(EncodeJwt(key, SampleClaims()));
  std::string tampered = p.signing_input;
  tampered[tampered.size() - 2] ^= 1;
  EXPECT_FALSE(key.Verify(tampered, p.signature));
  std::string flipped = p.signature;
  flipped[10] ^= 1;
  EXPECT_FALSE(key.Verify(p.signing_input, flipped));
  EXPECT_FALSE(key.Verify(p.signing_input, p.signature.substr(1)));
  EXPECT_FALSE(SigningKey::Generate(GetParam(), kNow).Verify(p.signing_input, p.signature));
}

TEST_P(SigningKeyTest, Pkcs8_RoundTrip_SameKeySameKid) {
  SigningKey key = SigningKey::Generate(GetParam(), kNow);
  SigningKey again = SigningKey::FromPkcs8(GetParam(), key.Pkcs8(), kNow);
  EXPECT_EQ(again.kid(), key.kid());
  EXPECT_TRUE(key.Verify("x.y", again.Sign("x.y")));
}

TEST_P(SigningKeyTest, PublicJwk_HasThePublicMembersOnly) {
  SigningKey key = SigningKey::Generate(GetParam(), kNow);
  boost::json::object jwk = key.PublicJwk();
  EXPECT_EQ(jwk.at("kid").as_string(), key.kid());
  EXPECT_EQ(jwk.at("alg").as_string(), AlgorithmName(GetParam()));
  EXPECT_EQ(jwk.at("use").as_string(), "sig");
  EXPECT_FALSE(jwk.contains("d")) << "never the private key";
  EXPECT_EQ(key.kid().size(), 43u) << "base64url of a SHA-256";
  if (GetParam() == Algorithm::kEdDSA) {
    EXPECT_EQ(jwk.at("kty").as_string(), "OKP");
    EXPECT_EQ(jwk.at("crv").as_string(), "Ed25519");
    EXPECT_EQ(crypto::Base64UrlDecode(jwk.at("x").as_string())->size(), 32u);
  } else {
    EXPECT_EQ(jwk.at("kty").as_string(), "EC");
    EXPECT_EQ(jwk.at("crv").as_string(), "P-256");
    EXPECT_EQ(crypto::Base64UrlDecode(jwk.at("x").as_string())->size(), 32u);
    EXPECT_EQ(crypto::Base64UrlDecode(jwk.at("y").as_string())->size(), 32u);
  }
}

INSTANTIATE_TEST_SUITE_P(Algorithms, SigningKeyTest,
                         ::testing::Values(Algorithm::kEdDSA, Algorithm::kES256),
                         [](const auto& info) { return std::string(AlgorithmName(info.param)); });

// The published JWK is enough to verify: OpenSSL rebuilds the Ed25519 key from "x" alone.
TEST(SigningKey, EdDSA_PublicJwkX_VerifiesWithOpenSsl) {
  SigningKey key = SigningKey::Generate(Algorithm::kEdDSA, kNow);
  auto p = Split(EncodeJwt(key, SampleClaims()));
  std::string x = *crypto::Base64UrlDecode(key.PublicJwk().at("x").as_string());
  EVP_PKEY* pub = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(x.data()), x.size());
  ASSERT_NE(pub, nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ASSERT_EQ(EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pub), 1);
  EXPECT_EQ(EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(p.signature.data()),
                             p.signature.size(),
                             reinterpret_cast<const unsigned char*>(p.signing_input.data()),
                             p.signing_input.size()),
            1);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pub);
}

// RFC 8037 appendix A.3: the thumbprint of the RFC's Ed25519 key; A.1 gives its private key.
TEST(SigningKey, Kid_Rfc8037KeyA1_IsTheRfcThumbprint) {
  // PKCS#8 prefix for Ed25519 (RFC 8410 section 10.3) + the 32-byte seed of RFC 8037 A.1.
  std::string seed = *crypto::Base64UrlDecode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A");
  std::string der =
      std::string("\x30\x2e\x02\x01\x00\x30\x05\x06\x03\x2b\x65\x70\x04\x22\x04\x20", 16) + seed;
  SigningKey key = SigningKey::FromPkcs8(Algorithm::kEdDSA, Secret(der), kNow);
  EXPECT_EQ(key.PublicJwk().at("x").as_string(), "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
  EXPECT_EQ(key.kid(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
}

TEST(SigningKey, FromPkcs8_KeyOfTheOtherAlgorithm_Throws) {
  SigningKey ed = SigningKey::Generate(Algorithm::kEdDSA, kNow);
  EXPECT_THROW(SigningKey::FromPkcs8(Algorithm::kES256, ed.Pkcs8(), kNow), std::runtime_error);
  EXPECT_THROW(SigningKey::FromPkcs8(Algorithm::kEdDSA, Secret("not a key"), kNow),
               std::runtime_error);
}

TEST(AlgorithmNames, ParseAlgorithm_ExactJwsNames) {
  EXPECT_EQ(ParseAlgorithm("EdDSA"), Algorithm::kEdDSA);
  EXPECT_EQ(ParseAlgorithm("ES256"), Algorithm::kES256);
  EXPECT_EQ(ParseAlgorithm("eddsa"), std::nullopt);
  EXPECT_EQ(ParseAlgorithm("none"), std::nullopt);
  EXPECT_EQ(ParseAlgorithm("HS256"), std::nullopt);
}

// ---------------------------------------------------------------------------------------------
// The key file

std::string Read(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(SigningKeys, LoadOrCreate_Missing_CreatesOneKeyOwnerOnly) {
  latchkey::testing::TempDir dir;
  auto file = dir.path() / "assertion.key";
  auto keys = SigningKeys::LoadOrCreate(file, true, Algorithm::kEdDSA, kNow);
  ASSERT_EQ(keys.keys().size(), 1u);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = SigningKeys::LoadOrCreate(file, true, Algorithm::kEdDSA, kNow + Seconds(5));
  EXPECT_EQ(again.current().kid(), keys.current().kid()) << "read, not made anew";
  EXPECT_EQ(again.current().created_at(), kNow);
}

TEST(SigningKeys, LoadOrCreate_MissingWithoutCreate_Throws) {
  latchkey::testing::TempDir dir;
  EXPECT_THROW(SigningKeys::LoadOrCreate(dir.path() / "nope.key", false, Algorithm::kEdDSA, kNow),
               std::runtime_error);
}

TEST(SigningKeys, LoadOrCreate_GroupReadable_ThrowsWithoutShowingTheKey) {
  latchkey::testing::TempDir dir;
  auto file = dir.path() / "assertion.key";
  SigningKeys::LoadOrCreate(file, true, Algorithm::kEdDSA, kNow);
  ::chmod(file.c_str(), 0640);
  std::string content = Read(file);
  try {
    SigningKeys::LoadOrCreate(file, false, Algorithm::kEdDSA, kNow);
    FAIL() << "a group-readable key file was accepted";
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("chmod 600"), std::string::npos) << what;
    std::string key_part = content.substr(content.rfind(' ') + 1, 20);
    EXPECT_EQ(what.find(key_part), std::string::npos) << "the message shows the key";
  }
}

TEST(SigningKeys, LoadOrCreate_GarbageLine_ThrowsNamingTheLine) {
  latchkey::testing::TempDir dir;
  auto file = dir.path() / "assertion.key";
  std::ofstream(file) << "# comment\nEdDSA 123 bm90LWEta2V5\n";
  ::chmod(file.c_str(), 0600);
  try {
    SigningKeys::LoadOrCreate(file, false, Algorithm::kEdDSA, kNow);
    FAIL() << "garbage accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
  }
}

TEST(SigningKeys, Rotate_NewKeySignsOldKeysStayPublished) {
  latchkey::testing::TempDir dir;
  auto file = dir.path() / "assertion.key";
  auto first = SigningKeys::LoadOrCreate(file, true, Algorithm::kEdDSA, kNow);
  RotateOutcome r = SigningKeys::Rotate(file, Algorithm::kES256, kNow + Seconds(10));
  EXPECT_EQ(r.keys, 2u);
  EXPECT_EQ(r.dropped, 0u);
  auto now = SigningKeys::LoadOrCreate(file, false, Algorithm::kES256, kNow + Seconds(10));
  ASSERT_EQ(now.keys().size(), 2u);
  EXPECT_EQ(now.current().kid(), r.added_kid);
  EXPECT_EQ(now.current().algorithm(), Algorithm::kES256);
  ASSERT_NE(now.Find(first.current().kid()), nullptr) << "the old public key is still published";
  // A token signed by the old key before the rotation still verifies with the published key.
  auto p = Split(EncodeJwt(first.current(), SampleClaims()));
  EXPECT_TRUE(
      now.Find(p.header.at("kid").as_string().c_str())->Verify(p.signing_input, p.signature));
  // The JWKS lists both, newest first.
  auto jwks = boost::json::parse(now.JwksJson()).as_object().at("keys").as_array();
  ASSERT_EQ(jwks.size(), 2u);
  EXPECT_EQ(jwks[0].at("kid").as_string(), r.added_kid);
  EXPECT_EQ(jwks[1].at("kid").as_string(), first.current().kid());
  EXPECT_EQ(now.JwksJson().find("\"d\""), std::string::npos);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(SigningKeys, Rotate_RetiredLongerThanGrace_DroppedButNeverThePreviousKey) {
  latchkey::testing::TempDir dir;
  auto file = dir.path() / "assertion.key";
  auto a = SigningKeys::LoadOrCreate(file, true, Algorithm::kEdDSA, kNow);
  auto b = SigningKeys::Rotate(file, Algorithm::kEdDSA, kNow + Seconds(100));  // a retired at +100
  // One second short of the grace since b replaced a: a stays.
  auto c = SigningKeys::Rotate(file, Algorithm::kEdDSA,
                               kNow + Seconds(100) + kRetiredKeyGrace - Seconds(1));
  EXPECT_EQ(c.dropped, 0u);
  EXPECT_EQ(c.keys, 3u);
  // Later: a goes (its successor b is older than the grace); b stays (its successor c is not).
  auto d = SigningKeys::Rotate(file, Algorithm::kEdDSA,
                               kNow + Seconds(100) + kRetiredKeyGrace + Seconds(5));
  EXPECT_EQ(d.dropped, 1u);
  auto keys = SigningKeys::LoadOrCreate(file, false, Algorithm::kEdDSA, kNow);
  EXPECT_EQ(keys.Find(a.current().kid()), nullptr);
  EXPECT_NE(keys.Find(b.added_kid), nullptr);
  EXPECT_NE(keys.Find(c.added_kid), nullptr);
  EXPECT_EQ(keys.current().kid(), d.added_kid);
  // Long after, the previous newest key is still kept: it may be signing on a node not restarted.
  auto e = SigningKeys::Rotate(file, Algorithm::kEdDSA, kNow + 10 * kRetiredKeyGrace);
  EXPECT_EQ(e.keys, 2u);
  keys = SigningKeys::LoadOrCreate(file, false, Algorithm::kEdDSA, kNow);
  EXPECT_NE(keys.Find(d.added_kid), nullptr);
}

TEST(SigningKeys, Rotate_MissingFile_CreatesIt) {
  latchkey::testing::TempDir dir;
  auto file = dir.path() / "assertion.key";
  auto r = SigningKeys::Rotate(file, Algorithm::kES256, kNow);
  EXPECT_EQ(r.keys, 1u);
  EXPECT_EQ(SigningKeys::LoadOrCreate(file, false, Algorithm::kES256, kNow).current().kid(),
            r.added_kid);
}

}  // namespace
}  // namespace latchkey::assertion
