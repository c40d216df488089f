#include "app/mail_config.h"

#include <sys/stat.h>

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>
#include <fstream>
#include <stdexcept>

#include "app/duration.h"

namespace latchkey::app {
namespace {

long long Duration(const char* flag, const std::string& value) {
  auto seconds = ParseDuration(value);
  if (!seconds || *seconds < 1) {
    throw std::invalid_argument(std::string(flag) +
                                " must be a duration of at least 1s (e.g. 30s, 1h), got '" + value +
                                "'");
  }
  return *seconds;
}

// "Latchkey <no-reply@host>" for a public URL whose host is a name; IP literals have no mail
// domain of their own, so those get the reserved "latchkey.invalid" (RFC 2606).
std::string DefaultFrom(const std::string& public_url) {
  auto url = boost::urls::parse_absolute_uri(public_url);
  std::string host = url && url->host_type() == boost::urls::host_type::name
                         ? std::string(url->encoded_host())
                         : std::string("latchkey.invalid");
  return "Latchkey <no-reply@" + host + ">";
}

// True for "localhost" and loopback IP literals: AUTH in clear text over ?tls=none is refused
// to any other host (the password would cross a network).
bool IsLoopback(const std::string& host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

}  // namespace

MailSettings ResolveMail(const MailConfig& c, const std::string& data_dir,
                         const std::string& public_url, bool public_url_derived) {
  MailSettings s;
  auto spec =
      courier::ParseTransportSpec(c.transport.empty() ? "file:" + data_dir + "/mail" : c.transport);
  if (!spec) throw std::invalid_argument(spec.error().message);
  s.transport = *spec;
  if (s.transport.smtp() && public_url_derived) {
    throw std::invalid_argument(
        "--public-url must be set explicitly with an SMTP --mail transport: the links in mail "
        "are built from it, and the default (from --listen) is not what users reach");
  }
  auto from = courier::ParseMailbox(c.mail_from.empty() ? DefaultFrom(public_url) : c.mail_from);
  if (!from) {
    throw std::invalid_argument(
        "--mail-from must be one address (no-reply@example.org or "
        "\"Name <no-reply@example.org>\"), got '" +
        c.mail_from + "'");
  }
  s.from = *from;
  bool auth = s.transport.smtp() && !s.transport.user.empty();
  if (auth && c.mail_password_file.empty()) {
    throw std::invalid_argument("--mail-password-file is needed: --mail names a user to AUTH as");
  }
  if (!auth && !c.mail_password_file.empty()) {
    throw std::invalid_argument(
        "--mail-password-file needs --mail smtp://user@host (a user to AUTH as)");
  }
  if (auth && !s.transport.implicit_tls && !s.transport.require_starttls &&
      !IsLoopback(s.transport.host)) {
    throw std::invalid_argument(
        "--mail smtp://user@host?tls=none would send the AUTH password in clear text: use TLS "
        "(drop ?tls=none, or smtps://), or a loopback host");
  }
  s.password_file = c.mail_password_file;
  s.templates_dir = c.mail_templates;
  s.ca_file = c.mail_ca_file;
  if (c.mail_max_attempts < 1 || c.mail_max_attempts > 100) {
    throw std::invalid_argument("--mail-max-attempts must be 1-100");
  }
  s.backoff.max_attempts = c.mail_max_attempts;
  s.backoff.base = Seconds(Duration("--mail-retry-base", c.mail_retry_base));
  s.backoff.cap = Seconds(Duration("--mail-retry-max", c.mail_retry_max));
  if (s.backoff.cap < s.backoff.base) {
    throw std::invalid_argument("--mail-retry-max must be at least --mail-retry-base");
  }
  return s;
}

Secret ReadMailPassword(const std::string& file) {
  // The rule of the secret key files (crypto/key_file.h): owner-only, never group or others.
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    throw std::runtime_error("cannot read --mail-password-file " + file);
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    throw std::runtime_error("--mail-password-file " + file +
                             " is readable by group or others; chmod 600 it");
  }
  std::ifstream in(file);
  std::string line;
  if (!in || !std::getline(in, line)) {
    throw std::runtime_error("cannot read --mail-password-file " + file);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return Secret(std::move(line));
}

}  // namespace latchkey::app
