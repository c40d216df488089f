#include "api/page_api.h"

#include "http/cookies.h"
#include "http/error_mapping.h"

namespace latchkey::api {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

http::Response PageApi::Handle(const http::Request& request) const {
  bool readable = request.method == http::Method::kGet || request.method == http::Method::kHead;
  if (request.path == "/api" || StartsWith(request.path, "/api/")) {
    return http::ErrorResponse(MakeError(Errc::kNotFound, "No such API endpoint"));
  }
  if (!readable) {
    http::Response r = http::ErrorResponse(MakeError(Errc::kMethodNotAllowed));
    r.AddHeader("Allow", "GET, HEAD");
    return r;
  }
  // Metrics live on their own listener (--metrics-listen): a scraper pointed at the main
  // port gets a plain 404, not the client's page.
  if (request.path == "/metrics") {
    return http::ErrorResponse(MakeError(Errc::kNotFound));
  }
  if (StartsWith(request.path, "/assets/")) {
    if (auto file = assets_.Serve(request)) return std::move(*file);
    return http::ErrorResponse(MakeError(Errc::kNotFound));
  }
  return RenderPage(request);
}

http::Response PageApi::RenderPage(const http::Request& request) const {
  http::Response r;
  std::string binding;
  if (auto existing = http::FindCookie(request.cookie, CsrfCookieName(request.tls));
      existing && session::CsrfTokens::IsWellFormedBinding(*existing)) {
    binding = std::string(*existing);
  } else {
    binding = session::CsrfTokens::NewBinding();
  }
  // Re-sent on every page load so the binding lives as long as the page is used.
  r.AddHeader("Set-Cookie", http::SetCookieHeader(CsrfCookieName(request.tls), binding,
                                                  cookies_.Options(request.tls)));
  r.content_type = "text/html; charset=utf-8";
  r.AddHeader("Cache-Control", "no-store");  // the page holds a CSRF token
  r.body = page_.Render(csrf_.Issue(binding));
  return r;
}

}  // namespace latchkey::api
