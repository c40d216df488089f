// The on-disk form of the server's symmetric keys: the HMAC keyring (<data-dir>/secret.key,
// crypto/keyring.h) and the sealing keys (<data-dir>/seal.key, crypto/sealer.h) share it.
//
// One key per line, base64url without padding, newest last; empty lines and lines starting
// with '#' are skipped. The file is owner-only (mode 0600): it is created with O_EXCL and that
// mode, so the key never exists with a wider one, and a file readable by group or others is
// refused (OWASP ASVS 4.0.3 6.4.1, 8.3.x). Errors name the file, never its content.
// Thread-safety: functions of the file system; two processes appending at once each add a line.
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

#include "base/secret.h"

namespace latchkey::crypto {

// The keys of `file`, oldest first, each of at least min_bytes. When the file is missing and
// create_if_missing is set, creates it with one fresh random key of min_bytes. Throws
// std::runtime_error naming the file on I/O errors, bad content, an empty file or unsafe
// permissions (group/other bits set).
std::vector<Secret> ReadKeyFile(const std::filesystem::path& file, bool create_if_missing,
                                std::size_t min_bytes);

// Appends one fresh random key of `bytes` bytes (creating the file, mode 0600, when missing);
// synced to disk before returning. Throws std::runtime_error naming the file.
void AppendKeyLine(const std::filesystem::path& file, std::size_t bytes);

}  // namespace latchkey::crypto
