// `--mail file:<dir>`: each message written as one .eml file, for a newcomer to open (the
// default of a fresh start: file:<data-dir>/mail) and for tests. Names sort by time:
// "<unix ms, 13 digits>-<outbox id>.eml". Written atomically: a temporary ".tmp-*" file of mode
// 0600 (a message may carry a link with a token), fsync, then rename, so a reader never sees a
// half file. The directory is created (0700) at construction.
// Thread-safety: Send from one thread at a time per file name (ids are unique).
#pragma once

#include <filesystem>

#include "base/clock.h"
#include "courier/transport.h"

namespace latchkey::courier {

class FileTransport final : public Transport {
 public:
  // Throws std::runtime_error naming the directory when it cannot be created.
  FileTransport(std::filesystem::path dir, const Clock& clock);

  std::optional<SendFailure> Send(const Envelope& envelope, std::string_view message) override;
  std::string Describe() const override { return "file:" + dir_.string(); }

 private:
  std::filesystem::path dir_;
  const Clock& clock_;
};

}  // namespace latchkey::courier
