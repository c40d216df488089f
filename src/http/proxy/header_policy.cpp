#include "http/proxy/header_policy.h"

#include <algorithm>
#include <array>

namespace latchkey::http::proxy {
namespace {

// Field names are ASCII tokens (RFC 9110 5.1), compared without regard to case: ASCII
// folding, not the locale's tolower (a call per character, once a hot spot here).
char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return AsciiLower(x) == AsciiLower(y);
         });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Fields that describe one connection, never the message (RFC 9110 7.6.1), and the framing
// the transport sets itself.
constexpr std::array<std::string_view, 9> kHopByHop = {
    "Connection", "Proxy-Connection", "Keep-Alive",     "TE",    "Transfer-Encoding",
    "Upgrade",    "Trailer",          "Content-Length", "Expect"};

// Fields the proxy states itself, so a client's are dropped.
constexpr std::array<std::string_view, 7> kStated = {
    "Host",      "X-CSRF-Token",       "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host",
    "Forwarded", "Proxy-Authorization"};

template <std::size_t N>
bool In(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::any_of(names.begin(), names.end(),
                     [&](std::string_view n) { return IEquals(n, name); });
}

// The field names listed by every Connection header of `in` (RFC 9110 7.6.1); views into `in`.
std::vector<std::string_view> ConnectionOptions(std::span<const HeaderView> in) {
  std::vector<std::string_view> names;
  for (const auto& [name, value] : in) {
    if (!IEquals(name, "Connection")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      std::size_t comma = rest.find(',');
      std::string_view token = Trim(rest.substr(0, comma));
      if (!token.empty()) names.push_back(token);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  return names;
}

bool Listed(const std::vector<std::string_view>& names, std::string_view name) {
  return std::any_of(names.begin(), names.end(),
                     [&](std::string_view n) { return IEquals(n, name); });
}

// The first value of `name` in `in`, joined with ", " when repeated; empty when absent.
std::string Joined(std::span<const HeaderView> in, std::string_view name) {
  std::string out;
  for (const auto& [n, v] : in) {
    if (!IEquals(n, name)) continue;
    if (!out.empty()) out += ", ";
    out += v;
  }
  return out;
}

// The HeaderList forms: views of `list`, and a sink appending to `out`.
std::vector<HeaderView> Views(const HeaderList& list) { return {list.begin(), list.end()}; }

HeaderSink Collect(HeaderList& out) {
  return [&out](std::string_view name, std::string_view value) { out.emplace_back(name, value); };
}

}  // namespace

bool IsLatchkeyHeader(std::string_view name) {
  constexpr std::string_view kPrefix = "X-Latchkey-";
  return name.size() >= kPrefix.size() && IEquals(name.substr(0, kPrefix.size()), kPrefix);
}

std::string StripCookies(std::string_view cookie, std::span<const std::string_view> drop) {
  std::string out;
  while (!cookie.empty()) {
    std::size_t semi = cookie.find(';');
    std::string_view pair = Trim(cookie.substr(0, semi));
    cookie = semi == std::string_view::npos ? std::string_view() : cookie.substr(semi + 1);
    if (pair.empty()) continue;
    std::string_view name = Trim(pair.substr(0, pair.find('=')));
    // Cookie names are case-sensitive (RFC 6265 5.4 compares them exactly).
    if (std::find(drop.begin(), drop.end(), name) != drop.end()) continue;
    if (!out.empty()) out += "; ";
    out += pair;
  }
  return out;
}

void UpstreamRequestHeaders(std::span<const HeaderView> in, const ClientView& client,
                            const RequestRewrite& rewrite, const HeaderSink& out) {
  std::vector<std::string_view> options = ConnectionOptions(in);
  out("Host", rewrite.upstream_authority);
  std::string cookies;
  for (const auto& [name, value] : in) {
    if (In(kHopByHop, name) || In(kStated, name) || Listed(options, name) ||
        IsLatchkeyHeader(name)) {
      continue;
    }
    if (IEquals(name, "Cookie")) {
      std::string kept = StripCookies(value, rewrite.drop_cookies);
      if (kept.empty()) continue;
      // One Cookie field (RFC 9113 8.2.3 aside, HTTP/1.1 sends one: RFC 6265 5.4).
      if (!cookies.empty()) cookies += "; ";
      cookies += kept;
      continue;
    }
    out(name, value);
  }
  if (!cookies.empty()) out("Cookie", cookies);
  for (const auto& [name, value] : rewrite.identity) out(name, value);
  std::string xff = client.peer_trusted ? Joined(in, "X-Forwarded-For") : std::string();
  out("X-Forwarded-For", xff.empty() ? client.peer_ip : xff + ", " + client.peer_ip);
  std::string proto = client.peer_trusted ? Joined(in, "X-Forwarded-Proto") : std::string();
  std::string_view scheme = client.tls ? "https" : "http";
  out("X-Forwarded-Proto", proto.empty() ? scheme : std::string_view(proto));
  std::string host = client.peer_trusted ? Joined(in, "X-Forwarded-Host") : std::string();
  if (host.empty()) host = Joined(in, "Host");
  if (!host.empty()) out("X-Forwarded-Host", host);
}

HeaderList UpstreamRequestHeaders(const HeaderList& in, const ClientView& client,
                                  const RequestRewrite& rewrite) {
  HeaderList out;
  UpstreamRequestHeaders(Views(in), client, rewrite, Collect(out));
  return out;
}

void ClientResponseHeaders(std::span<const HeaderView> in,
                           std::span<const std::string_view> own_cookies, const HeaderSink& out) {
  std::vector<std::string_view> options = ConnectionOptions(in);
  for (const auto& [name, value] : in) {
    if (In(kHopByHop, name) || Listed(options, name)) continue;
    if (IEquals(name, "Set-Cookie")) {
      std::string_view cookie = Trim(value.substr(0, value.find('=')));
      if (std::find(own_cookies.begin(), own_cookies.end(), cookie) != own_cookies.end()) continue;
    }
    out(name, value);
  }
}

HeaderList ClientResponseHeaders(const HeaderList& in,
                                 const std::vector<std::string_view>& own_cookies) {
  HeaderList out;
  ClientResponseHeaders(Views(in), own_cookies, Collect(out));
  return out;
}

}  // namespace latchkey::http::proxy
