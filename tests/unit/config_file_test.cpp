// --config files (app/config_file.h): parsing, every error naming file, line and key, and
// reading from disk.
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <filesystem>
#include <string>

#include "app/config_file.h"
#include "config_test_support.h"

namespace latchkey::app {
namespace {

const std::vector<KeySpec> kKeys = {
    {"listen", KeyType::kString, false},        {"max-connections", KeyType::kInteger, false},
    {"seconds", KeyType::kFloat, false},        {"json", KeyType::kBoolean, false},
    {"allowed-origin", KeyType::kString, true},
};

std::string MessageOf(const Result<FileSettings>& r) {
  return r ? std::string("(no error)") : r.error().message;
}

TEST(ConfigFile, FlatKeys_ReadEachTypeAsFlagText) {
  auto r = ParseConfigText(
      "listen = \"0.0.0.0:9000\"\nmax-connections = 500\nseconds = 1.5\njson = true\n"
      "allowed-origin = [\"https://a.example\", \"https://b.example\"]\n",
      "/etc/l.toml", kKeys);
  ASSERT_TRUE(r) << MessageOf(r);
  EXPECT_EQ(r->at("listen").values, std::vector<std::string>{"0.0.0.0:9000"});
  EXPECT_EQ(r->at("listen").where, "/etc/l.toml:1");
  EXPECT_EQ(r->at("max-connections").values, std::vector<std::string>{"500"});
  EXPECT_EQ(r->at("seconds").values, std::vector<std::string>{"1.5"});
  EXPECT_EQ(r->at("json").values, std::vector<std::string>{"true"});
  EXPECT_EQ(r->at("allowed-origin").values,
            (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_EQ(r->at("allowed-origin").where, "/etc/l.toml:5");
}

TEST(ConfigFile, RepeatableKeyWithOneValue_IsAnArrayOfOne) {
  auto r = ParseConfigText("allowed-origin = \"https://a.example\"\n", "f", kKeys);
  ASSERT_TRUE(r) << MessageOf(r);
  EXPECT_EQ(r->at("allowed-origin").values, std::vector<std::string>{"https://a.example"});
}

TEST(ConfigFile, IntegerForNumber_Accepted) {
  auto r = ParseConfigText("seconds = 3\n", "f", kKeys);
  ASSERT_TRUE(r) << MessageOf(r);
  EXPECT_EQ(r->at("seconds").values, std::vector<std::string>{"3"});
}

TEST(ConfigFile, EmptyFile_NoSettings) {
  auto r = ParseConfigText("# nothing\n", "f", kKeys);
  ASSERT_TRUE(r) << MessageOf(r);
  EXPECT_TRUE(r->empty());
}

struct BadFile {
  const char* label;
  const char* text;
  std::vector<std::string> in_message;  // each must appear
  const char* key;                      // error().field
};

class ConfigFileErrors : public ::testing::TestWithParam<BadFile> {};

TEST_P(ConfigFileErrors, NamesFileLineAndKey) {
  const BadFile& bad = GetParam();
  auto r = ParseConfigText(bad.text, "/etc/latchkey.toml", kKeys);
  ASSERT_FALSE(r) << bad.label;
  EXPECT_EQ(r.error().code, Errc::kInvalidInput);
  EXPECT_EQ(r.error().field, bad.key) << r.error().message;
  for (const std::string& part : bad.in_message) {
    EXPECT_NE(r.error().message.find(part), std::string::npos)
        << bad.label << ": '" << part << "' not in: " << r.error().message;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, ConfigFileErrors,
    ::testing::Values(
        BadFile{"syntax",
                "listen = \"a\"\nmax-connections = = 3\n",
                {"/etc/latchkey.toml:2:", "TOML syntax error"},
                ""},
        BadFile{
            "unterminated string", "listen = \"oops\n", {"/etc/latchkey.toml:1:", "syntax"}, ""},
        BadFile{"duplicate key", "listen = \"a\"\nlisten = \"b\"\n", {"/etc/latchkey.toml:2:"}, ""},
        BadFile{"unknown key, typo",
                "listen = \"a\"\nmax-conections = 3\n",
                {"/etc/latchkey.toml:2", "unknown key 'max-conections'",
                 "did you mean 'max-connections'?"},
                "max-conections"},
        BadFile{"unknown key, underscore",
                "max_connections = 3\n",
                {"did you mean 'max-connections'?"},
                "max_connections"},
        BadFile{"unknown key, no suggestion",
                "completely-different = 1\n",
                {"unknown key 'completely-different'"},
                "completely-different"},
        BadFile{"table",
                "[server]\nlisten = \"a\"\n",
                {"/etc/latchkey.toml:1", "table [server]", "flat"},
                "server"},
        BadFile{"string for integer",
                "\nmax-connections = \"10\"\n",
                {"/etc/latchkey.toml:2", "max-connections must be an integer", "got a TOML string"},
                "max-connections"},
        BadFile{"float for integer",
                "max-connections = 1.5\n",
                {"max-connections must be an integer"},
                "max-connections"},
        BadFile{"integer for string",
                "listen = 8080\n",
                {"listen must be a string", "got a TOML integer"},
                "listen"},
        BadFile{"array for scalar", "listen = [\"a\"]\n", {"listen must be a string"}, "listen"},
        BadFile{"string for boolean", "json = \"yes\"\n", {"json must be true or false"}, "json"},
        BadFile{"array element of the wrong type",
                "allowed-origin = [\"https://a.example\", 3]\n",
                {"allowed-origin must be an array of strings (or one), got an array holding a TOML "
                 "integer"},
                "allowed-origin"}),
    [](const auto& info) {
      std::string name = info.param.label;
      for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

TEST(ConfigFile, WrongType_NeverQuotesTheValue) {
  auto r = ParseConfigText("listen = [\"hunter2-secret\"]\n", "f", kKeys);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.find("hunter2"), std::string::npos) << r.error().message;
}

using ConfigFileRead = ConfigTempDir;

TEST_F(ConfigFileRead, MissingFile_NamesPathAndReason) {
  std::string path = (dir_ / "absent.toml").string();
  auto r = ReadConfigFile(path, kKeys);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("cannot read config file " + path), std::string::npos);
  EXPECT_NE(r.error().message.find("No such file"), std::string::npos) << r.error().message;
}

TEST_F(ConfigFileRead, Directory_IsRefused) {
  auto r = ReadConfigFile(dir_.string(), kKeys);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("directory"), std::string::npos) << r.error().message;
}

TEST_F(ConfigFileRead, UnreadableFile_IsRefused) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files of mode 0000";
  std::string path = Write("locked.toml", "listen = \"a:1\"\n");
  std::filesystem::permissions(path, std::filesystem::perms::none);
  auto r = ReadConfigFile(path, kKeys);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("Permission denied"), std::string::npos) << r.error().message;
}

TEST_F(ConfigFileRead, File_ReadFromDisk) {
  std::string path = Write("ok.toml", "listen = \"a:1\"\n");
  auto r = ReadConfigFile(path, kKeys);
  ASSERT_TRUE(r) << MessageOf(r);
  EXPECT_EQ(r->at("listen").where, path + ":1");
}

}  // namespace
}  // namespace latchkey::app
