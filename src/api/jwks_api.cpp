#include "api/jwks_api.h"

#include "http/error_mapping.h"

namespace latchkey::api {

http::Response JwksApi::Jwks(const Context&) {
  http::Response r = http::JsonResponse(200, body_);
  r.AddHeader("Cache-Control", "public, max-age=300");
  return r;
}

}  // namespace latchkey::api
