// The request and response that handlers see: plain structs, no Beast types, so that
// handlers, flows and their tests compile without Beast (http/transport/message.h translates).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace latchkey::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

// True for methods that change state and therefore need the CSRF token (RFC 9110 9.2.1).
inline bool IsStateChanging(Method m) {
  return m == Method::kPost || m == Method::kPut || m == Method::kPatch || m == Method::kDelete;
}

struct Request {
  Method method = Method::kGet;
  std::string path;          // target up to '?', still percent-encoded
  std::string query;         // the target from '?' (included), as sent; empty when none
  std::string body;          // at most the server's body limit
  std::string content_type;  // Content-Type header, as sent
  std::string cookie;        // every Cookie header, joined with "; "
  std::string csrf_token;    // X-CSRF-Token header
  std::string expect_user;   // X-Latchkey-Expect-User header: the user id the page was built for
  std::string user_agent;
  std::string if_none_match;
  std::string accept_encoding;        // every Accept-Encoding header, joined with ", "
  std::string client_ip;              // peer, or from X-Forwarded-For via a trusted proxy
  bool tls = false;                   // client used TLS (to us, or to a trusted proxy)
  std::string host;                   // Host header: the authority the client reached
  std::optional<std::string> origin;  // Origin header; nullopt when absent ("null" is a value)
  std::string sec_fetch_site;         // Sec-Fetch-Site header (Fetch Metadata)
  std::string x_forwarded_for;        // every X-Forwarded-For header, joined with ", "
  std::string x_forwarded_proto;      // X-Forwarded-Proto header, as sent
  // Forward auth (api/verify_api.h): the original request as a --trusted-proxy states it,
  // X-Forwarded-Method/-Uri (Traefik, Caddy) or X-Original-Method/-URI (nginx); empty when the
  // peer is not a trusted proxy (never believed from anyone else).
  std::string forwarded_method;
  std::string forwarded_uri;
  std::vector<std::string> path_params;  // values of "{name}" segments of the matched route
  std::string request_id;  // X-Request-Id: the client's if acceptable, else made (request_id.h)
};

struct Response {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Set-Cookie, Cache-Control, ...

  void AddHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

}  // namespace latchkey::http
