#include "http/transport/message.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <utility>

#include "http/request_id.h"

namespace latchkey::http::transport {

namespace beast = boost::beast;

namespace {

void AppendListValue(std::string& list, std::string_view value) {
  if (!list.empty()) list += ", ";
  list += value;
}

}  // namespace

Method ToMethod(bhttp::verb verb) {
  switch (verb) {
    case bhttp::verb::get:
      return Method::kGet;
    case bhttp::verb::head:
      return Method::kHead;
    case bhttp::verb::post:
      return Method::kPost;
    case bhttp::verb::put:
      return Method::kPut;
    case bhttp::verb::patch:
      return Method::kPatch;
    case bhttp::verb::delete_:
      return Method::kDelete;
    case bhttp::verb::options:
      return Method::kOptions;
    default:
      return Method::kOther;
  }
}

std::string PathOf(std::string_view target) {
  return std::string(target.substr(0, target.find('?')));
}

Peer MakePeer(std::string address, const TrustedProxies& proxies) {
  Peer peer;
  peer.address = std::move(address);
  peer.direct = proxies.Resolve(peer.address, {}, {});
  peer.trusted = proxies.Contains(peer.direct.ip);
  return peer;
}

Request Translate(BeastRequest&& in, const Peer& peer, bool tls, const TrustedProxies& proxies) {
  Request r = TranslateHeader(in, peer, tls, proxies);
  r.body = std::move(in.body());
  return r;
}

Request TranslateHeader(const bhttp::request_header<>& in, const Peer& peer, bool tls,
                        const TrustedProxies& proxies) {
  Request r;
  r.method = ToMethod(in.method());
  r.path = PathOf(in.target());
  if (std::size_t q = in.target().find('?'); q != std::string_view::npos) {
    r.query = in.target().substr(q);
  }
  int hosts = 0;
  int origins = 0;
  for (const auto& field : in) {
    switch (field.name()) {
      case bhttp::field::cookie:
        if (!r.cookie.empty()) r.cookie += "; ";
        r.cookie += field.value();
        break;
      case bhttp::field::content_type:
        r.content_type = field.value();
        break;
      case bhttp::field::user_agent:
        r.user_agent = field.value();
        break;
      case bhttp::field::if_none_match:
        r.if_none_match = field.value();
        break;
      case bhttp::field::accept_encoding:
        AppendListValue(r.accept_encoding, field.value());
        break;
      case bhttp::field::host:
        r.host = field.value();
        ++hosts;
        break;
      case bhttp::field::origin:
        r.origin = std::string(field.value());
        ++origins;
        break;
      case bhttp::field::sec_fetch_site:
        r.sec_fetch_site = field.value();
        break;
      default:
        if (beast::iequals(field.name_string(), "x-csrf-token")) {
          r.csrf_token = field.value();
        } else if (beast::iequals(field.name_string(), "x-latchkey-expect-user")) {
          r.expect_user = field.value();
        } else if (beast::iequals(field.name_string(), "x-forwarded-for")) {
          AppendListValue(r.x_forwarded_for, field.value());
        } else if (beast::iequals(field.name_string(), "x-forwarded-proto")) {
          AppendListValue(r.x_forwarded_proto, field.value());
        } else if (beast::iequals(field.name_string(), "x-request-id")) {
          r.request_id = field.value();
        } else if (peer.trusted && (beast::iequals(field.name_string(), "x-forwarded-method") ||
                                    beast::iequals(field.name_string(), "x-original-method"))) {
          r.forwarded_method = field.value();
        } else if (peer.trusted && (beast::iequals(field.name_string(), "x-forwarded-uri") ||
                                    beast::iequals(field.name_string(), "x-original-uri"))) {
          r.forwarded_uri = field.value();
        }
        break;
    }
  }
  if (hosts > 1) r.host.clear();
  if (origins > 1) r.origin = std::string();  // present but not an origin: refused
  if (!IsAcceptableRequestId(r.request_id)) r.request_id = NewRequestId();
  if (peer.trusted) {
    TrustedProxies::Client client =
        proxies.Resolve(peer.address, r.x_forwarded_for, r.x_forwarded_proto);
    r.client_ip = std::move(client.ip);
    r.tls = tls || client.https;
  } else {
    r.client_ip = peer.direct.ip;
    r.tls = tls;
  }
  return r;
}

void ToBeast(Response&& in, const StaticHeaders& common, unsigned version, bool keep_alive,
             bool head, BeastResponse& out) {
  out.version(version);
  out.result(static_cast<unsigned>(in.status));
  if (!in.content_type.empty()) out.set(bhttp::field::content_type, in.content_type);
  for (auto& [name, value] : in.headers) out.insert(name, value);
  for (const StaticHeader& h : common) out.insert(h.name, h.value);
  out.keep_alive(keep_alive);
  // A 304's Content-Length would have to be that of the 200 it stands for (RFC 9110 8.6); it
  // has no content, so it gets none.
  if (in.status != 304) out.content_length(in.body.size());
  if (!head && in.status != 304) out.body() = std::move(in.body);
}

std::optional<Error> ParseError(const boost::system::error_code& ec) {
  if (ec == bhttp::error::body_limit) {
    return MakeError(Errc::kPayloadTooLarge);
  }
  if (ec == bhttp::error::header_limit) {
    return MakeError(Errc::kHeadersTooLarge);
  }
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
      ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
    return MakeError(Errc::kMalformedRequest);
  }
  return std::nullopt;
}

}  // namespace latchkey::http::transport
