#include "crypto/key_file.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <string>

#include "crypto/encoding.h"
#include "crypto/random.h"

namespace latchkey::crypto {
namespace {

std::string EncodeKeyLine(std::size_t bytes) {
  std::string raw = RandomBytes(bytes);
  std::string line = Base64UrlEncode(raw) + "\n";
  sodium_memzero(raw.data(), raw.size());
  return line;
}

// Writes with O_EXCL|O_CREAT mode 0600 or O_APPEND: the key never exists with a wider mode.
void WriteKeyLine(const std::filesystem::path& file, bool create, std::size_t bytes) {
  int flags = O_WRONLY | O_CLOEXEC | (create ? (O_CREAT | O_EXCL) : O_APPEND);
  int fd = ::open(file.c_str(), flags, 0600);
  if (fd < 0) throw std::runtime_error("cannot write secret key file " + file.string());
  std::string line = EncodeKeyLine(bytes);
  ssize_t written = ::write(fd, line.data(), line.size());
  sodium_memzero(line.data(), line.size());
  bool ok = written == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot write secret key file " + file.string());
}

}  // namespace

std::vector<Secret> ReadKeyFile(const std::filesystem::path& file, bool create_if_missing,
                                std::size_t min_bytes) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    if (!create_if_missing) throw std::runtime_error("secret key file not found: " + file.string());
    WriteKeyLine(file, /*create=*/true, min_bytes);
    if (::stat(file.c_str(), &st) != 0) throw std::runtime_error("cannot stat " + file.string());
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    throw std::runtime_error("secret key file " + file.string() +
                             " is readable by group or others; chmod 600 it");
  }
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read secret key file " + file.string());
  std::vector<Secret> keys;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto raw = Base64UrlDecode(line);
    sodium_memzero(line.data(), line.size());
    if (!raw || raw->size() < min_bytes) {
      throw std::runtime_error("secret key file " + file.string() +
                               " holds a line that is not a base64url key of " +
                               std::to_string(min_bytes) + "+ bytes");
    }
    keys.emplace_back(std::move(*raw));
  }
  if (keys.empty()) throw std::runtime_error("secret key file " + file.string() + " is empty");
  return keys;
}

void AppendKeyLine(const std::filesystem::path& file, std::size_t bytes) {
  WriteKeyLine(file, /*create=*/!std::filesystem::exists(file), bytes);
}

}  // namespace latchkey::crypto
