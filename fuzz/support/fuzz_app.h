// The server's request handling, composed once per fuzz process by the composition root
// (app/node.h) as `latchkey serve` composes it: the real request pipeline (api/pipeline.h)
// over the real services, on a SQLite database behind the session cache and touch batcher, in
// a temporary directory removed at exit, with a web root (index.html template, two assets)
// written there.
//
// Differences from `latchkey serve`, each for a reason:
// - a fake clock that the targets advance per input (Tick), so runs replay and throttle
//   lockouts pass in "time" the fuzzer controls;
// - cheap password hashing (argon2id m=1 MiB, t=1), so signups and logins cost ~1 ms;
// - 127.0.0.1 is a trusted proxy and the peer of every request, so X-Forwarded-For and
//   X-Forwarded-Proto from the input are believed (and so are fuzzed);
// - a fixed keyring (support/fuzz_keys.h);
// - no refresh-ahead thread (it would re-read sessions at wall-clock times).
// The handling (Handle) is Pipeline::Handle: the steps and the work the server would run on its
// pools, run here on the calling thread, then Router::ApplyCommonHeaders; exceptions are not
// caught (the targets report an escaping exception as a bug; the server would make it a 500).
// Thread-safety: one fuzzing thread (libFuzzer's); the touch batcher has its own thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "api/account_api.h"
#include "api/auth_api.h"
#include "api/pipeline.h"
#include "api/session_cookies.h"
#include "flows/auth_service.h"
#include "http/request.h"
#include "http/trusted_proxies.h"
#include "identity/password_policy.h"
#include "session/csrf.h"
#include "session/session_token.h"

namespace latchkey::fuzz {

class FuzzApp {
 public:
  // The process-wide instance, built on first use (sodium_init included). Throws
  // std::runtime_error when the temporary directory or database cannot be created.
  static FuzzApp& Instance();

  ~FuzzApp();

  // Advances the fake clock by `seconds` (>= 0).
  void Tick(long seconds);

  // The response for a request whose path_params are still empty, as the server answers it
  // (see above). Fills request.path_params like the server.
  http::Response Handle(http::Request& request);

  // A session cookie value ("<token>.<mac>") of a live session of an existing user; when an
  // earlier input ended that session or removed the user, a new user is signed up first.
  const std::string& LiveSessionCookie();

  // The CSRF binding cookie value of every run (NewBinding's shape: 43 base64url characters).
  static constexpr std::string_view kCsrfBinding = "ZnV6ei1iaW5kaW5nLWZ1enotYmluZGluZy1mdXp6LWI";
  // A CSRF binding (cookie value) and a token issued for it: a pair that passes the guard.
  const std::string& CsrfBinding() const { return csrf_binding_; }
  const std::string& CsrfToken() const { return csrf_token_; }

  const session::SessionTokenCodec& tokens() const;
  const session::CsrfTokens& csrf() const;
  const api::SessionCookies& cookies() const;
  // The rules for new passwords the services apply (a small stand-in common list).
  const identity::PasswordPolicy& passwords() const;
  const http::TrustedProxies& proxies() const { return proxies_; }
  // The address of the peer of every request (a trusted proxy).
  static constexpr const char* kPeer = "127.0.0.1";

  // The endpoint handlers themselves, for fuzz_json_bodies, and the pipeline they run in.
  api::AuthApi& auth_api();
  api::AccountApi& account_api();
  api::Pipeline& pipeline();

 private:
  FuzzApp();
  struct Parts;
  std::unique_ptr<Parts> parts_;
  http::TrustedProxies proxies_;
  std::string session_cookie_;
  std::string csrf_binding_;
  std::string csrf_token_;
  int users_made_ = 0;
};

}  // namespace latchkey::fuzz
