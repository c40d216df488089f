#include "assertion/jwt.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "crypto/encoding.h"

namespace latchkey::assertion {

std::string EncodeJwt(const SigningKey& key, const Claims& claims) {
  // RFC 7515 4.1.1 alg and 4.1.4 kid (which published key verifies); typ "JWT" (RFC 7519 5.1).
  boost::json::object header{
      {"alg", AlgorithmName(key.algorithm())}, {"kid", key.kid()}, {"typ", "JWT"}};
  // RFC 7519 4.1: registered claims, then the private ones (sid as in OpenID Connect
  // Front-Channel Logout 1.0 section 3, username).
  boost::json::object payload{{"iss", claims.issuer},
                              {"aud", claims.audience},
                              {"sub", claims.subject},
                              {"sid", claims.session_id},
                              {"username", claims.username},
                              {"iat", ToUnixSeconds(claims.issued_at)},
                              {"exp", ToUnixSeconds(claims.expires_at)}};
  std::string token = crypto::Base64UrlEncode(boost::json::serialize(header));
  token += '.';
  token += crypto::Base64UrlEncode(boost::json::serialize(payload));
  std::string signature = key.Sign(token);  // over ASCII(header '.' payload), RFC 7515 5.1
  token += '.';
  token += crypto::Base64UrlEncode(signature);
  return token;
}

}  // namespace latchkey::assertion
