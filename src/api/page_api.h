// Everything outside the JSON routes: the built client's assets, and the single page
// rendered with a CSRF token for GET / and every pushState deep link (so /account reloads).
// Unknown /api/* paths get a JSON 404, never the page. Runs inline (no blocking work).
#pragma once

#include "api/cookie_policy.h"
#include "http/request.h"
#include "http/static_files.h"
#include "session/csrf.h"
#include "web/page.h"

namespace latchkey::api {

class PageApi {
 public:
  PageApi(const web::PageTemplate& page, const http::StaticFiles& assets,
          const session::CsrfTokens& csrf, CookiePolicy cookies)
      : page_(page), assets_(assets), csrf_(csrf), cookies_(cookies) {}

  http::Response Handle(const http::Request& request) const;

 private:
  http::Response RenderPage(const http::Request& request) const;

  const web::PageTemplate& page_;
  const http::StaticFiles& assets_;
  const session::CsrfTokens& csrf_;
  CookiePolicy cookies_;
};

}  // namespace latchkey::api
