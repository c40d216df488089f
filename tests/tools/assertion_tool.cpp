// Test helper (tests/api/assertion.test.mjs): issues one X-Latchkey-Assertion with the signing
// keys of a key file, through the same assertion::AssertionIssuer that app::Node builds, so that
// a test can verify it with an independent JOSE library against the JWKS a running server
// publishes from that file. Not installed; not an operator's tool.
//
//   latchkey_assertion_tool <assertion-key-file> <iss> <aud> <user-id> <sid> <username>
//   -> the compact JWS on stdout; exit 1 with a message on stderr when the file cannot be read.
#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include "assertion/assertion_issuer.h"
#include "assertion/signing_keys.h"

int main(int argc, char** argv) {
  using namespace latchkey;
  if (argc != 7) {
    std::fprintf(stderr, "usage: %s <assertion-key-file> <iss> <aud> <user-id> <sid> <username>\n",
                 argv[0]);
    return 2;
  }
  try {
    SystemClock clock;
    auto keys = assertion::SigningKeys::LoadOrCreate(argv[1], false, assertion::Algorithm::kEdDSA,
                                                     clock.Now());
    assertion::AssertionIssuer issuer(keys, clock,
                                      assertion::IssuerPolicy{argv[2], Seconds(60), 16});
    auto resolved = std::make_shared<session::ResolvedSession>();
    resolved->user.id = identity::UserId(std::stoll(argv[4]));
    resolved->user.username = argv[6];
    resolved->session.id = session::SessionId(argv[5]);
    resolved->session.user_id = resolved->user.id;
    resolved->session.expires_at = clock.Now() + Seconds(86400);
    std::printf("%s\n", issuer.Issue(session::Principal(resolved), argv[3]).c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
