// Shared by the configuration tests (config_file_test.cpp, config_layers_test.cpp): a fixture
// with a temporary directory and the LATCHKEY_* variables those tests set cleared around each.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace latchkey::app {

class ConfigTempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("latchkey-config-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    for (const char* name : kEnv) ::unsetenv(name);
  }
  void TearDown() override {
    std::filesystem::remove_all(dir_);
    for (const char* name : kEnv) ::unsetenv(name);
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::filesystem::path path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  static constexpr const char* kEnv[] = {"LATCHKEY_CONFIG",          "LATCHKEY_LISTEN",
                                         "LATCHKEY_MAX_CONNECTIONS", "LATCHKEY_ALLOWED_ORIGIN",
                                         "LATCHKEY_PASSWORD_HASH",   "LATCHKEY_DB",
                                         "LATCHKEY_DATA_DIR"};
  std::filesystem::path dir_;
};

}  // namespace latchkey::app
