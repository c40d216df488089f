#include "http/content_negotiation.h"

#include <array>
#include <cctype>

namespace latchkey::http {
namespace {

constexpr int kUnlisted = -1;

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) (RFC 9110 12.4.2), in
// thousandths; anything else is 0 (not acceptable).
int ParseQvalue(std::string_view v) {
  if (v.empty() || (v[0] != '0' && v[0] != '1')) return 0;
  int whole = v[0] - '0';
  if (v.size() == 1) return whole * 1000;
  if (v[1] != '.' || v.size() > 5) return 0;
  int thousandths = 0, scale = 100;
  for (char c : v.substr(2)) {
    if (c < '0' || c > '9') return 0;
    thousandths += (c - '0') * scale;
    scale /= 10;
  }
  if (whole == 1 && thousandths != 0) return 0;
  return whole * 1000 + thousandths;
}

// The weight of one list member "coding *( OWS ; OWS param )": q when given, else 1000.
int MemberWeight(std::string_view params) {
  int q = 1000;
  while (!params.empty()) {
    std::size_t semi = params.find(';');
    std::string_view param = TrimOws(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    std::size_t eq = param.find('=');
    if (eq != std::string_view::npos && IEquals(TrimOws(param.substr(0, eq)), "q")) {
      q = ParseQvalue(TrimOws(param.substr(eq + 1)));
    }
  }
  return q;
}

}  // namespace

std::string_view CodingName(Coding coding) {
  switch (coding) {
    case Coding::kBrotli:
      return "br";
    case Coding::kGzip:
      return "gzip";
    case Coding::kIdentity:
      break;
  }
  return "";
}

Coding ChooseCoding(std::string_view accept_encoding, bool has_br, bool has_gzip) {
  if (TrimOws(accept_encoding).empty() || (!has_br && !has_gzip)) return Coding::kIdentity;
  int br = kUnlisted, gzip = kUnlisted, identity = kUnlisted, any = kUnlisted;
  while (!accept_encoding.empty()) {
    std::size_t comma = accept_encoding.find(',');
    std::string_view member = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    std::size_t semi = member.find(';');
    std::string_view name = TrimOws(member.substr(0, semi));
    int q =
        MemberWeight(semi == std::string_view::npos ? std::string_view() : member.substr(semi + 1));
    if (IEquals(name, "br")) {
      br = q;
    } else if (IEquals(name, "gzip") || IEquals(name, "x-gzip")) {
      gzip = q;
    } else if (IEquals(name, "identity")) {
      identity = q;
    } else if (name == "*") {
      any = q;
    }
  }
  auto weight = [any](int listed, int otherwise) {
    if (listed != kUnlisted) return listed;
    return any != kUnlisted ? any : otherwise;
  };
  // Identity is acceptable unless refused by name or by "*" (RFC 9110 12.5.3); when not named
  // it is the last resort, below any coding the client did name (as in "br;q=0.5").
  const std::array<std::pair<Coding, int>, 3> candidates = {{
      {Coding::kBrotli, has_br ? weight(br, 0) : 0},
      {Coding::kGzip, has_gzip ? weight(gzip, 0) : 0},
      {Coding::kIdentity, weight(identity, 1)},
  }};
  Coding best = Coding::kIdentity;
  int best_q = 0;
  for (const auto& [coding, q] : candidates) {
    if (q > best_q) {
      best = coding;
      best_q = q;
    }
  }
  return best;
}

bool IfNoneMatchMatches(std::string_view if_none_match, std::string_view etag) {
  auto opaque = [](std::string_view tag) {
    if (tag.rfind("W/", 0) == 0) tag.remove_prefix(2);
    return tag;
  };
  std::string_view want = opaque(etag);
  std::string_view list = TrimOws(if_none_match);
  if (list == "*") return true;
  // entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE; etagc may be ',' so the list is read by quotes.
  while (!list.empty()) {
    while (!list.empty() && (list.front() == ',' || list.front() == ' ' || list.front() == '\t')) {
      list.remove_prefix(1);
    }
    if (list.empty()) break;
    std::size_t start = list.rfind("W/", 0) == 0 ? 2 : 0;
    if (list.size() <= start || list[start] != '"') return false;
    std::size_t close = list.find('"', start + 1);
    if (close == std::string_view::npos) return false;
    if (list.substr(start, close + 1 - start) == want) return true;
    list.remove_prefix(close + 1);
  }
  return false;
}

}  // namespace latchkey::http
