// The server's TLS configuration: OpenSSL through boost::asio::ssl, TLS 1.2 and 1.3 only,
// ECDHE with AEAD suites in the server's order, no compression, no renegotiation (ASVS 4.0.3
// 9.1.2, 9.1.3; CRIME). Kept apart from the transport's Beast units (http/transport/).
// Thread-safety: pure functions; the context they return is shared read-only by connections.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <string>

namespace latchkey::http {

// Loads a PEM certificate chain and its private key into a server context configured as
// above. Throws std::runtime_error naming the file that cannot be used, or saying that the key
// does not match the certificate.
boost::asio::ssl::context MakeTlsContext(const std::string& cert_file, const std::string& key_file);

// Loads a PEM certificate chain and private key the way the server will (and checks that they
// match); an empty string when they are usable, else why not. For startup validation.
std::string CheckTlsFiles(const std::string& cert_file, const std::string& key_file);

}  // namespace latchkey::http
