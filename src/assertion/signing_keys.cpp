#include "assertion/signing_keys.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <fstream>
#include <stdexcept>

#include "crypto/encoding.h"

namespace latchkey::assertion {
namespace {

[[noreturn]] void Fail(const std::filesystem::path& file, const std::string& problem) {
  throw std::runtime_error("assertion key file " + file.string() + ": " + problem);
}

// "<alg> <created_at> <base64url PKCS#8>"; the line is wiped by the caller.
SigningKey ParseLine(const std::filesystem::path& file, std::string_view line, int number) {
  std::size_t a = line.find(' ');
  std::size_t b = a == std::string_view::npos ? a : line.find(' ', a + 1);
  std::string where = "line " + std::to_string(number);
  if (b == std::string_view::npos) Fail(file, where + " is not '<alg> <created_at> <key>'");
  auto alg = ParseAlgorithm(line.substr(0, a));
  if (!alg) Fail(file, where + ": unknown algorithm (EdDSA or ES256)");
  std::string_view digits = line.substr(a + 1, b - a - 1);
  std::int64_t created_seconds = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), created_seconds);
  const UnixTime created_at = FromUnixSeconds(created_seconds);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    Fail(file, where + ": created_at is not a number");
  }
  auto der = crypto::Base64UrlDecode(line.substr(b + 1));
  if (!der) Fail(file, where + ": the key is not base64url");
  Secret secret(std::move(*der));
  try {
    return SigningKey::FromPkcs8(*alg, secret, created_at);
  } catch (const std::runtime_error& e) {
    Fail(file, where + ": " + e.what());
  }
}

std::vector<SigningKey> ReadKeys(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) Fail(file, "not found");
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    Fail(file, "readable by group or others; chmod 600 it");
  }
  std::ifstream in(file);
  if (!in) Fail(file, "cannot be read");
  std::vector<SigningKey> keys;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line[0] != '#') keys.push_back(ParseLine(file, line, number));
    sodium_memzero(line.data(), line.size());
  }
  if (keys.empty()) Fail(file, "holds no key");
  return keys;
}

// The whole file through a temporary of mode 0600 (O_EXCL: never a wider mode, never someone
// else's file), fsync, rename: the old file or the new one, never half of one.
void WriteKeys(const std::filesystem::path& file, const std::vector<SigningKey>& keys) {
  std::string text =
      "# Latchkey assertion signing keys, oldest first; the last one signs. Private: mode 0600.\n"
      "# <alg> <created_at> <base64url PKCS#8>; managed by `latchkey keys rotate`.\n";
  text.reserve(text.size() + 320 * keys.size());  // no reallocation leaves key bytes behind
  for (const SigningKey& key : keys) {
    Secret der = key.Pkcs8();
    Secret line(crypto::Base64UrlEncode(der.Reveal()));
    text += std::string(AlgorithmName(key.algorithm())) + " " +
            std::to_string(ToUnixSeconds(key.created_at())) + " ";
    text += line.Reveal();
    text += "\n";
  }
  Secret wiped(std::move(text));  // the key lines are wiped whatever happens below
  std::filesystem::path temp = file;
  temp += ".tmp";
  std::filesystem::remove(temp);  // a leftover of a crash; ours (same directory, same owner)
  int fd = ::open(temp.c_str(), O_WRONLY | O_CLOEXEC | O_CREAT | O_EXCL, 0600);
  if (fd < 0) Fail(file, "cannot write " + temp.string());
  ssize_t written = ::write(fd, wiped.data(), wiped.size());
  bool ok = written == static_cast<ssize_t>(wiped.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(temp.c_str(), file.c_str()) != 0) {
    std::filesystem::remove(temp);
    Fail(file, "cannot be written");
  }
}

}  // namespace

SigningKeys::SigningKeys(std::vector<SigningKey> keys) : keys_(std::move(keys)) {
  if (keys_.empty()) throw std::invalid_argument("assertion keys: at least one key needed");
}

SigningKeys SigningKeys::Generate(Algorithm alg, UnixTime now) {
  return SigningKeys({SigningKey::Generate(alg, now)});
}

SigningKeys SigningKeys::LoadOrCreate(const std::filesystem::path& file, bool create_if_missing,
                                      Algorithm alg, UnixTime now) {
  if (create_if_missing && !std::filesystem::exists(file)) {
    WriteKeys(file, {SigningKey::Generate(alg, now)});
  }
  return SigningKeys(ReadKeys(file));
}

RotateOutcome SigningKeys::Rotate(const std::filesystem::path& file, Algorithm alg, UnixTime now) {
  std::vector<SigningKey> old;
  if (std::filesystem::exists(file)) old = ReadKeys(file);
  std::vector<SigningKey> kept;
  RotateOutcome outcome;
  for (std::size_t i = 0; i < old.size(); ++i) {
    // The newest key becomes the previous one: always kept (it may be signing right now).
    bool retired_long_ago = i + 1 < old.size() && old[i + 1].created_at() + kRetiredKeyGrace <= now;
    if (retired_long_ago) {
      ++outcome.dropped;
    } else {
      kept.push_back(old[i]);
    }
  }
  kept.push_back(SigningKey::Generate(alg, now));
  WriteKeys(file, kept);
  outcome.added_kid = kept.back().kid();
  outcome.keys = kept.size();
  return outcome;
}

const SigningKey* SigningKeys::Find(std::string_view kid) const {
  for (const SigningKey& key : keys_) {
    if (key.kid() == kid) return &key;
  }
  return nullptr;
}

std::string SigningKeys::JwksJson() const {
  boost::json::array keys;
  for (auto it = keys_.rbegin(); it != keys_.rend(); ++it) keys.push_back(it->PublicJwk());
  return boost::json::serialize(boost::json::object{{"keys", std::move(keys)}});
}

}  // namespace latchkey::assertion
