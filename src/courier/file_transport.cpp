#include "courier/file_transport.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace latchkey::courier {

FileTransport::FileTransport(std::filesystem::path dir, const Clock& clock)
    : dir_(std::move(dir)), clock_(clock) {
  std::error_code ec;
  if (std::filesystem::create_directories(dir_, ec)) {
    ::chmod(dir_.c_str(), 0700);
  } else if (ec) {
    throw std::runtime_error("--mail file: cannot create " + dir_.string() + ": " + ec.message());
  }
}

std::optional<SendFailure> FileTransport::Send(const Envelope& envelope, std::string_view message) {
  char name[64];
  std::snprintf(name, sizeof name, "%013lld-%lld.eml",
                static_cast<long long>(ToUnixMillis(clock_.NowMs())),
                static_cast<long long>(envelope.outbox_id));
  auto final_path = dir_ / name;
  auto tmp_path = dir_ / (std::string(".tmp-") + name);
  int fd = ::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return SendFailure{"cannot create " + tmp_path.string() + ": " + std::strerror(errno)};
  std::size_t written = 0;
  while (written < message.size()) {
    ssize_t n = ::write(fd, message.data() + written, message.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  bool ok = written == message.size() && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp_path.c_str(), final_path.c_str()) != 0) {
    std::string error = "cannot write " + final_path.string() + ": " + std::strerror(errno);
    ::unlink(tmp_path.c_str());
    return SendFailure{error};
  }
  return std::nullopt;
}

}  // namespace latchkey::courier
