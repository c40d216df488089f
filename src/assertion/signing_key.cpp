#include "assertion/signing_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <boost/json/serialize.hpp>

#include <array>
#include <stdexcept>

#include "crypto/encoding.h"

namespace latchkey::assertion {
namespace {

constexpr std::size_t kHalf = kSignatureBytes / 2;  // ES256: r and s, 32 bytes each

void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("OpenSSL: ") + what + " failed");
}

struct MdCtx {
  MdCtx() : ctx(EVP_MD_CTX_new()) { Check(ctx != nullptr, "EVP_MD_CTX_new"); }
  ~MdCtx() { EVP_MD_CTX_free(ctx); }
  MdCtx(const MdCtx&) = delete;
  MdCtx& operator=(const MdCtx&) = delete;
  EVP_MD_CTX* ctx;
};

struct Bignum {
  ~Bignum() { BN_free(bn); }
  BIGNUM* bn = nullptr;
};

std::shared_ptr<evp_pkey_st> Own(EVP_PKEY* key) {
  Check(key != nullptr, "key");
  return std::shared_ptr<evp_pkey_st>(key, EVP_PKEY_free);
}

// Ed25519 signs the message itself (no digest: RFC 8032 PureEdDSA); ES256 signs SHA-256.
const EVP_MD* DigestOf(Algorithm alg) { return alg == Algorithm::kES256 ? EVP_sha256() : nullptr; }

bool IsKeyOf(Algorithm alg, EVP_PKEY* key) {
  if (alg == Algorithm::kEdDSA) return EVP_PKEY_is_a(key, "ED25519") == 1;
  if (EVP_PKEY_is_a(key, "EC") != 1) return false;
  std::array<char, 64> group{};
  std::size_t len = 0;
  if (EVP_PKEY_get_group_name(key, group.data(), group.size(), &len) != 1) return false;
  std::string_view name(group.data(), len);
  return name == "prime256v1" || name == "P-256";
}

std::string Coordinate(EVP_PKEY* key, const char* param) {
  Bignum value;
  Check(EVP_PKEY_get_bn_param(key, param, &value.bn) == 1, "EVP_PKEY_get_bn_param");
  std::array<unsigned char, kHalf> out{};
  Check(BN_bn2binpad(value.bn, out.data(), out.size()) == kHalf, "BN_bn2binpad");
  return crypto::Base64UrlEncode({reinterpret_cast<const char*>(out.data()), out.size()});
}

// The members RFC 7638 section 3.2 requires, in lexicographic order (the thumbprint's input).
boost::json::object RequiredMembers(Algorithm alg, EVP_PKEY* key) {
  boost::json::object jwk;
  if (alg == Algorithm::kEdDSA) {
    std::array<unsigned char, 32> raw{};
    std::size_t len = raw.size();
    Check(EVP_PKEY_get_raw_public_key(key, raw.data(), &len) == 1 && len == raw.size(),
          "EVP_PKEY_get_raw_public_key");
    jwk["crv"] = "Ed25519";
    jwk["kty"] = "OKP";
    jwk["x"] = crypto::Base64UrlEncode({reinterpret_cast<const char*>(raw.data()), len});
  } else {
    jwk["crv"] = "P-256";
    jwk["kty"] = "EC";
    jwk["x"] = Coordinate(key, OSSL_PKEY_PARAM_EC_PUB_X);
    jwk["y"] = Coordinate(key, OSSL_PKEY_PARAM_EC_PUB_Y);
  }
  return jwk;
}

// RFC 7638 section 3: base64url(SHA-256(the required members, no whitespace, sorted)).
std::string Thumbprint(const boost::json::object& required) {
  std::string canonical = boost::json::serialize(required);
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  Check(EVP_Digest(canonical.data(), canonical.size(), md.data(), &len, EVP_sha256(), nullptr) == 1,
        "EVP_Digest");
  return crypto::Base64UrlEncode({reinterpret_cast<const char*>(md.data()), len});
}

// ES256: OpenSSL's DER ECDSA-Sig-Value -> JWS's fixed-size r||s (RFC 7518 section 3.4).
std::string DerToRaw(const unsigned char* der, std::size_t der_len) {
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(der_len));
  Check(sig != nullptr, "d2i_ECDSA_SIG");
  std::array<unsigned char, kSignatureBytes> raw{};
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig, &r, &s);
  bool ok = BN_bn2binpad(r, raw.data(), kHalf) == kHalf &&
            BN_bn2binpad(s, raw.data() + kHalf, kHalf) == kHalf;
  ECDSA_SIG_free(sig);
  Check(ok, "BN_bn2binpad");
  return std::string(reinterpret_cast<const char*>(raw.data()), raw.size());
}

// ES256: r||s -> DER, for EVP_DigestVerify. Empty when the numbers cannot be read.
std::string RawToDer(std::string_view raw) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  BIGNUM* r = BN_bin2bn(bytes, kHalf, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + kHalf, kHalf, nullptr);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  if (r == nullptr || s == nullptr || sig == nullptr || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return {};
  }
  std::string der;
  int len = i2d_ECDSA_SIG(sig, nullptr);
  if (len > 0) {
    der.resize(static_cast<std::size_t>(len));
    auto* out = reinterpret_cast<unsigned char*>(der.data());
    if (i2d_ECDSA_SIG(sig, &out) != len) der.clear();
  }
  ECDSA_SIG_free(sig);  // frees r and s too
  return der;
}

}  // namespace

std::string_view AlgorithmName(Algorithm alg) {
  return alg == Algorithm::kES256 ? "ES256" : "EdDSA";
}

std::optional<Algorithm> ParseAlgorithm(std::string_view name) {
  if (name == "EdDSA") return Algorithm::kEdDSA;
  if (name == "ES256") return Algorithm::kES256;
  return std::nullopt;
}

SigningKey::SigningKey(Algorithm alg, std::shared_ptr<evp_pkey_st> key, UnixTime created_at)
    : alg_(alg),
      key_(std::move(key)),
      public_members_(RequiredMembers(alg, key_.get())),
      kid_(Thumbprint(public_members_)),
      created_at_(created_at) {}

SigningKey SigningKey::Generate(Algorithm alg, UnixTime created_at) {
  EVP_PKEY* key = alg == Algorithm::kEdDSA ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                                           : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  return SigningKey(alg, Own(key), created_at);
}

SigningKey SigningKey::FromPkcs8(Algorithm alg, const Secret& der, UnixTime created_at) {
  const unsigned char* p = der.data();
  PKCS8_PRIV_KEY_INFO* info = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size()));
  if (info == nullptr || p != der.data() + der.size()) {
    PKCS8_PRIV_KEY_INFO_free(info);
    throw std::runtime_error("not a PKCS#8 private key");
  }
  EVP_PKEY* key = EVP_PKCS82PKEY(info);
  PKCS8_PRIV_KEY_INFO_free(info);
  if (key == nullptr || !IsKeyOf(alg, key)) {
    EVP_PKEY_free(key);
    throw std::runtime_error("not an " + std::string(AlgorithmName(alg)) + " key");
  }
  return SigningKey(alg, Own(key), created_at);
}

Secret SigningKey::Pkcs8() const {
  PKCS8_PRIV_KEY_INFO* info = EVP_PKEY2PKCS8(key_.get());
  Check(info != nullptr, "EVP_PKEY2PKCS8");
  int len = i2d_PKCS8_PRIV_KEY_INFO(info, nullptr);
  std::string der(len > 0 ? static_cast<std::size_t>(len) : 0, '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  bool ok = len > 0 && i2d_PKCS8_PRIV_KEY_INFO(info, &out) == len;
  PKCS8_PRIV_KEY_INFO_free(info);
  Secret secret(std::move(der));  // wiped on destruction, whatever happens next
  Check(ok, "i2d_PKCS8_PRIV_KEY_INFO");
  return secret;
}

std::string SigningKey::Sign(std::string_view signing_input) const {
  MdCtx md;
  Check(EVP_DigestSignInit(md.ctx, nullptr, DigestOf(alg_), nullptr, key_.get()) == 1,
        "EVP_DigestSignInit");
  const auto* data = reinterpret_cast<const unsigned char*>(signing_input.data());
  std::size_t len = 0;
  Check(EVP_DigestSign(md.ctx, nullptr, &len, data, signing_input.size()) == 1, "EVP_DigestSign");
  std::string out(len, '\0');
  auto* sig = reinterpret_cast<unsigned char*>(out.data());
  Check(EVP_DigestSign(md.ctx, sig, &len, data, signing_input.size()) == 1, "EVP_DigestSign");
  if (alg_ == Algorithm::kES256) return DerToRaw(sig, len);
  Check(len == kSignatureBytes, "Ed25519 signature size");
  out.resize(len);
  return out;
}

bool SigningKey::Verify(std::string_view signing_input, std::string_view signature) const {
  if (signature.size() != kSignatureBytes) return false;
  std::string der;
  if (alg_ == Algorithm::kES256) {
    der = RawToDer(signature);
    if (der.empty()) return false;
    signature = der;
  }
  MdCtx md;
  if (EVP_DigestVerifyInit(md.ctx, nullptr, DigestOf(alg_), nullptr, key_.get()) != 1) {
    return false;
  }
  return EVP_DigestVerify(md.ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(),
                          reinterpret_cast<const unsigned char*>(signing_input.data()),
                          signing_input.size()) == 1;
}

boost::json::object SigningKey::PublicJwk() const {
  boost::json::object jwk = public_members_;
  jwk["kid"] = kid_;
  jwk["alg"] = AlgorithmName(alg_);
  jwk["use"] = "sig";
  return jwk;
}

}  // namespace latchkey::assertion
