// Helpers shared by unit tests: a temporary directory removed at the end of the test.
#pragma once

#include <sodium.h>
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace latchkey::testing {

class TempDir {
 public:
  TempDir() {
    if (sodium_init() < 0) throw std::runtime_error("sodium_init failed");
    std::string tmpl = (std::filesystem::temp_directory_path() / "latchkey-unit-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace latchkey::testing
