#include "store/postgres/conninfo.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string_view>

namespace latchkey::store::postgres {
namespace {

using Options = std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)>;

// libpq's reading of `conninfo`; null when it cannot parse it (its message, which may quote
// the string, is dropped).
Options ParseConninfo(const std::string& conninfo) {
  char* message = nullptr;
  Options options(PQconninfoParse(conninfo.c_str(), &message), &PQconninfoFree);
  if (message) PQfreemem(message);
  return options;
}

std::string OptionValue(const Options& options, std::string_view keyword) {
  for (PQconninfoOption* o = options.get(); o && o->keyword; ++o) {
    if (keyword == o->keyword) return o->val ? o->val : "";
  }
  return "";
}

constexpr std::string_view kSecretKeywords[] = {"password", "sslpassword"};

bool IsUri(std::string_view conninfo) {
  return conninfo.starts_with("postgres://") || conninfo.starts_with("postgresql://");
}

// The secrets of a URI as written, before percent-decoding: the password of the user info
// (up to the first '@' before any '/', as libpq reads it) and secret query parameters.
void AddRawUriSecrets(std::string_view uri, std::vector<std::string>& secrets) {
  std::size_t start = uri.find("://") + 3;
  std::size_t end = uri.find_first_of("@/", start);
  std::size_t after_userinfo = start;
  if (end != std::string_view::npos && uri[end] == '@') {
    std::string_view userinfo = uri.substr(start, end - start);
    if (std::size_t colon = userinfo.find(':'); colon != std::string_view::npos) {
      secrets.emplace_back(userinfo.substr(colon + 1));
    }
    after_userinfo = end + 1;
  }
  std::size_t query = uri.find('?', after_userinfo);
  if (query == std::string_view::npos) return;
  std::string_view rest = uri.substr(query + 1);
  while (!rest.empty()) {
    std::size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    for (std::string_view keyword : kSecretKeywords) {
      if (pair.substr(0, eq) == keyword) secrets.emplace_back(pair.substr(eq + 1));
    }
  }
}

// Percent-encodes all but unreserved URI characters and `keep`.
std::string Encode(std::string_view text, std::string_view keep = {}) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~' ||
        keep.find(c) != std::string_view::npos) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

std::vector<std::string_view> SplitCommas(std::string_view text) {
  std::vector<std::string_view> parts;
  if (text.empty()) return parts;
  for (;;) {
    std::size_t comma = text.find(',');
    parts.push_back(text.substr(0, comma));
    if (comma == std::string_view::npos) return parts;
    text.remove_prefix(comma + 1);
  }
}

}  // namespace

std::optional<std::vector<std::string>> ConninfoSecrets(const std::string& conninfo) {
  Options options = ParseConninfo(conninfo);
  if (!options) return std::nullopt;
  std::vector<std::string> secrets;
  for (std::string_view keyword : kSecretKeywords) secrets.push_back(OptionValue(options, keyword));
  if (IsUri(conninfo)) AddRawUriSecrets(conninfo, secrets);
  std::erase_if(secrets, [](const std::string& s) { return s.empty(); });
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return secrets;
}

std::string ScrubSecrets(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    for (std::size_t at = text.find(secret); at != std::string::npos;
         at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

std::optional<std::string> ConninfoForDisplay(const std::string& conninfo) {
  Options options = ParseConninfo(conninfo);
  auto secrets = ConninfoSecrets(conninfo);
  if (!options || !secrets) return std::nullopt;
  // A password cannot reach the fields shown by libpq's parsing; scrubbing each field is the
  // last line of defence against a user or database name that happens to contain it.
  auto field = [&](const char* keyword) {
    return ScrubSecrets(OptionValue(options, keyword), *secrets);
  };
  std::string out = conninfo.starts_with("postgresql://") ? "postgresql://" : "postgres://";
  if (std::string user = field("user"); !user.empty()) out += Encode(user, "*") + "@";
  std::string host_list = field("host");
  if (host_list.empty()) host_list = field("hostaddr");
  std::string port_list = field("port");
  auto hosts = SplitCommas(host_list);
  auto ports = SplitCommas(port_list);
  for (std::size_t i = 0; i < std::max(hosts.size(), ports.size()); ++i) {
    if (i > 0) out += ',';
    std::string_view host = i < hosts.size() ? hosts[i] : std::string_view();
    std::string_view port = ports.size() == 1 ? ports[0] : i < ports.size() ? ports[i] : "";
    // An IPv6 address goes in brackets; a socket directory is percent-encoded, as libpq
    // reads it back.
    out += host.find(':') != std::string_view::npos ? "[" + Encode(host, ":*") + "]"
                                                    : Encode(host, "*");
    if (!port.empty()) out += ":" + Encode(port, "*");
  }
  if (std::string dbname = field("dbname"); !dbname.empty()) out += "/" + Encode(dbname, "*");
  return out;
}

std::string ScrubConninfoSecrets(const std::string& text, const std::string& conninfo) {
  auto secrets = ConninfoSecrets(conninfo);
  if (!secrets) return kUnparsableConninfo;
  return ScrubSecrets(text, *secrets);
}

}  // namespace latchkey::store::postgres
