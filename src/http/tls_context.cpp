#include "http/tls_context.h"

#include <stdexcept>

namespace latchkey::http {

namespace {

// TLS 1.2 suites: ECDHE key exchange (forward secrecy) with AEAD ciphers only, strongest
// first (Mozilla "intermediate"). TLS 1.3 suites are OpenSSL's defaults, all AEAD.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

}  // namespace

boost::asio::ssl::context MakeTlsContext(const std::string& cert_file,
                                         const std::string& key_file) {
  namespace ssl = boost::asio::ssl;
  ssl::context ctx(ssl::context::tls_server);
  // ASVS 4.0.3 9.1.3: TLS 1.2 and 1.3 only. 9.1.2: strong suites, the server's order wins.
  // No TLS compression (CRIME); no renegotiation (a client-initiated CPU sink).
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                  ssl::context::no_compression | ssl::context::single_dh_use);
  SSL_CTX* native = ctx.native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(
      native, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    throw std::runtime_error("OpenSSL refused the TLS 1.2 cipher list");
  }
  boost::system::error_code ec;
  ctx.use_certificate_chain_file(cert_file, ec);
  if (ec)
    throw std::runtime_error("cannot load TLS certificate " + cert_file + ": " + ec.message());
  ctx.use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) throw std::runtime_error("cannot load TLS key " + key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(native) != 1) {
    throw std::runtime_error("TLS key " + key_file + " does not match certificate " + cert_file);
  }
  return ctx;
}

std::string CheckTlsFiles(const std::string& cert_file, const std::string& key_file) {
  try {
    MakeTlsContext(cert_file, key_file);
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

}  // namespace latchkey::http
