#include "courier/transport_spec.h"

#include <boost/url/parse.hpp>
#include <charconv>

namespace latchkey::courier {
namespace {

Error Invalid(std::string message) {
  return MakeError(Errc::kInvalidInput, "--mail: " + std::move(message), "--mail");
}

}  // namespace

std::string TransportSpec::Url() const {
  bool v6 = host.find(':') != std::string::npos;
  return std::string(implicit_tls ? "smtps://" : "smtp://") + (v6 ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

Result<TransportSpec> ParseTransportSpec(std::string_view value) {
  TransportSpec spec;
  if (value == "off") return spec;
  if (value.starts_with("file:")) {
    spec.kind = TransportSpec::Kind::kFile;
    spec.dir = std::string(value.substr(5));
    if (spec.dir.empty()) return Invalid("file: needs a directory (file:/var/lib/latchkey/mail)");
    return spec;
  }
  auto url = boost::urls::parse_absolute_uri(value);
  if (!url) return Invalid("must be off, file:<dir>, smtp://[user@]host[:port] or smtps://...");
  std::string scheme(url->scheme());
  if (scheme != "smtp" && scheme != "smtps") {
    return Invalid("the scheme must be smtp or smtps (or off, file:<dir>)");
  }
  spec.kind = TransportSpec::Kind::kSmtp;
  spec.implicit_tls = scheme == "smtps";
  if (url->has_password()) return Invalid("no password in the URL: use --mail-password-file");
  if (!url->encoded_path().empty() && url->encoded_path() != "/") {
    return Invalid("an SMTP URL has no path");
  }
  spec.user = url->has_userinfo() ? std::string(url->user()) : "";
  std::string host(url->encoded_host_address());
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) return Invalid("an SMTP URL needs a host");
  spec.host = host;
  spec.port = spec.implicit_tls ? 465 : 587;
  if (url->has_port()) {
    auto port = url->port_number();
    if (port == 0) return Invalid("the port must be 1-65535");
    spec.port = port;
  }
  for (auto param : url->params()) {
    if (param.key == "tls" && param.value == "none" && !spec.implicit_tls) {
      spec.require_starttls = false;
    } else {
      return Invalid("the only query parameter is tls=none (smtp:// only)");
    }
  }
  return spec;
}

}  // namespace latchkey::courier
