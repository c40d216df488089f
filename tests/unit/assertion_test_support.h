// Helpers of the assertion tests: a principal without a database, and a compact JWS taken
// apart (base64url decoded, JSON parsed) the way a verifier would.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <memory>
#include <string>
#include <string_view>

#include "crypto/encoding.h"
#include "session/principal.h"

namespace latchkey::assertion::testing {

inline session::Principal MakePrincipal(identity::UserId user_id, std::string username,
                                        session::SessionId session_id, UnixTime expires_at) {
  auto resolved = std::make_shared<session::ResolvedSession>();
  resolved->user.id = user_id;
  resolved->user.username = std::move(username);
  resolved->session.id = std::move(session_id);
  resolved->session.user_id = user_id;
  resolved->session.token_hash = session::TokenHash(std::string(64, 'f'));
  resolved->session.expires_at = expires_at;
  return session::Principal(std::move(resolved));
}

struct Parts {
  boost::json::object header;
  boost::json::object claims;
  std::string signing_input;  // header '.' payload, as signed
  std::string signature;      // raw bytes
};

// The three parts of a compact JWS; fails the test (ADD_FAILURE) and returns empty parts when
// the token is not three base64url parts of which the first two are JSON objects.
inline Parts Split(std::string_view token) {
  Parts p;
  std::size_t a = token.find('.');
  std::size_t b = a == std::string_view::npos ? a : token.find('.', a + 1);
  if (b == std::string_view::npos || token.find('.', b + 1) != std::string_view::npos) {
    ADD_FAILURE() << "not three parts: " << token;
    return p;
  }
  auto header = crypto::Base64UrlDecode(token.substr(0, a));
  auto claims = crypto::Base64UrlDecode(token.substr(a + 1, b - a - 1));
  auto signature = crypto::Base64UrlDecode(token.substr(b + 1));
  if (!header || !claims || !signature) {
    ADD_FAILURE() << "not base64url: " << token;
    return p;
  }
  p.header = boost::json::parse(*header).as_object();
  p.claims = boost::json::parse(*claims).as_object();
  p.signing_input = std::string(token.substr(0, b));
  p.signature = *signature;
  return p;
}

}  // namespace latchkey::assertion::testing
