// app/config.cpp: the assertion settings (--public-url, --assertion-alg, --assertion-lifetime,
// --assertion-key-file) as `latchkey serve` resolves them.
#include <gtest/gtest.h>

#include <stdexcept>

#include "app/config.h"
#include "app/node.h"

namespace latchkey::app {
namespace {

Settings With(void (*edit)(ServeConfig&)) {
  ServeConfig c;
  edit(c);
  return Resolve(c);
}

TEST(ConfigAssertion, Defaults_IssuerFromListenEdDSA60sKeyBesideTheSecretFile) {
  Settings s = Resolve(ServeConfig{});
  EXPECT_EQ(s.public_url, "http://127.0.0.1:8080");
  EXPECT_EQ(s.assertion_algorithm, assertion::Algorithm::kEdDSA);
  EXPECT_EQ(s.assertion_lifetime_seconds, 60);
  EXPECT_EQ(s.assertion_key_file, "./data/assertion.key");
  EXPECT_EQ(IssuerPolicyOf(s).issuer, "http://127.0.0.1:8080");
  EXPECT_EQ(IssuerPolicyOf(s).lifetime, Seconds(60));
}

TEST(ConfigAssertion, ListenV6AndDefaultPort_IssuerIsANormalOrigin) {
  EXPECT_EQ(With([](ServeConfig& c) { c.listen = "[::1]:9000"; }).public_url, "http://[::1]:9000");
  EXPECT_EQ(With([](ServeConfig& c) { c.listen = "Example.COM:80"; }).public_url,
            "http://example.com");
}

TEST(ConfigAssertion, PublicUrl_NormalisedOrRefused) {
  EXPECT_EQ(With([](ServeConfig& c) { c.public_url = "HTTPS://App.Example.com:443"; }).public_url,
            "https://app.example.com");
  for (const char* bad : {"app.example.com", "https://app.example.com/auth", "ftp://x"}) {
    ServeConfig c;
    c.public_url = bad;
    EXPECT_THROW(Resolve(c), std::invalid_argument) << bad;
  }
}

TEST(ConfigAssertion, AlgorithmLifetimeAndKeyFile_ResolvedOrRefused) {
  Settings es = With([](ServeConfig& c) {
    c.assertion_alg = "ES256";
    c.assertion_lifetime = "15s";
    c.secret_file = "/etc/latchkey/secret.key";
  });
  EXPECT_EQ(es.assertion_algorithm, assertion::Algorithm::kES256);
  EXPECT_EQ(es.assertion_lifetime_seconds, 15);
  EXPECT_EQ(es.assertion_key_file, "/etc/latchkey/assertion.key");
  EXPECT_EQ(With([](ServeConfig& c) { c.secret_file = "secret.key"; }).assertion_key_file,
            "assertion.key");
  EXPECT_EQ(With([](ServeConfig& c) { c.assertion_key_file = "/k/a.key"; }).assertion_key_file,
            "/k/a.key");
  for (auto edit : {+[](ServeConfig& c) { c.assertion_alg = "RS256"; },
                    +[](ServeConfig& c) { c.assertion_alg = "none"; },
                    +[](ServeConfig& c) { c.assertion_lifetime = "61s"; },
                    +[](ServeConfig& c) { c.assertion_lifetime = "2m"; },
                    +[](ServeConfig& c) { c.assertion_lifetime = "0s"; }}) {
    EXPECT_THROW(With(edit), std::invalid_argument);
  }
}

}  // namespace
}  // namespace latchkey::app
