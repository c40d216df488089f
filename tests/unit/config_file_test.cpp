// --config files (app/config_file.h), the flag > env > file > default layering
// (app/config_layers.h) and --print-config (app/config_print.h).
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "app/config.h"
#include "app/config_file.h"
#include "app/config_layers.h"
#include "app/config_print.h"

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

class TempDir : public ::testing::Test {
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

using ConfigFileRead = TempDir;

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

// A command shaped like `latchkey serve`: options declared as main.cpp's Flag() does.
struct Cli {
  CLI::App app{"test"};
  CLI::App* serve = nullptr;
  CLI::App* keys = nullptr;
  ServeConfig c;
  ServeConfig keys_c;
  bool print = false;

  Cli() {
    serve = app.add_subcommand("serve");
    auto flag = [&](const std::string& name, auto& value) {
      return serve->add_option(name, value)->envname(EnvNameOf(name));
    };
    flag("--config", c.config_file);
    flag("--listen", c.listen)->capture_default_str();
    flag("--data-dir", c.data_dir);
    flag("--db", c.db);
    flag("--max-connections", c.max_connections);
    flag("--password-hash", c.password_hash)->check(CLI::IsMember({"argon2id", "bcrypt"}));
    flag("--allowed-origin", c.allowed_origins)->delimiter(',');
    serve->add_flag("--print-config", print);
    keys = app.add_subcommand("keys");
    keys->add_option("--config", keys_c.config_file)->envname("LATCHKEY_CONFIG");
    keys->add_option("--data-dir", keys_c.data_dir)->envname("LATCHKEY_DATA_DIR");
  }

  Result<ConfigLayers> Parse(std::vector<const char*> args) {
    args.insert(args.begin(), {"latchkey", "serve"});
    return ParseLayered(app, static_cast<int>(args.size()), args.data());
  }
};

const SettingOrigin& Find(const ConfigLayers& layers, const std::string& key) {
  for (const SettingOrigin& s : layers.settings) {
    if (s.spec.key == key) return s;
  }
  throw std::logic_error("no setting " + key);
}

using ConfigLayering = TempDir;

TEST_F(ConfigLayering, KeysAreTheCommandsFlagsWithEnvNames) {
  Cli cli;
  auto layers = cli.Parse({});
  ASSERT_TRUE(layers) << layers.error().message;
  std::vector<std::string> keys;
  for (const SettingOrigin& s : layers->settings) keys.push_back(s.spec.key);
  // --config names the file and --print-config has no variable: neither is a key.
  EXPECT_EQ(keys, (std::vector<std::string>{"listen", "data-dir", "db", "max-connections",
                                            "password-hash", "allowed-origin"}));
  EXPECT_EQ(Find(*layers, "max-connections").spec.type, KeyType::kInteger);
  EXPECT_EQ(Find(*layers, "password-hash").spec.type, KeyType::kString);
  EXPECT_TRUE(Find(*layers, "allowed-origin").spec.repeatable);
}

TEST_F(ConfigLayering, NothingGiven_DefaultsStay) {
  Cli cli;
  auto layers = cli.Parse({});
  ASSERT_TRUE(layers) << layers.error().message;
  EXPECT_EQ(cli.c.listen, "127.0.0.1:8080");
  EXPECT_EQ(Find(*layers, "listen").source, ConfigSource::kDefault);
  EXPECT_TRUE(layers->config_file.empty());
}

TEST_F(ConfigLayering, FileOnly_SetsEveryKeyItHolds) {
  Cli cli;
  std::string path = Write("a.toml",
                           "listen = \"0.0.0.0:9000\"\nmax-connections = 77\n"
                           "allowed-origin = [\"https://a.example\", \"https://b.example\"]\n");
  auto layers = cli.Parse({"--config", path.c_str()});
  ASSERT_TRUE(layers) << layers.error().message;
  EXPECT_EQ(cli.c.listen, "0.0.0.0:9000");
  EXPECT_EQ(cli.c.max_connections, 77);
  EXPECT_EQ(cli.c.allowed_origins,
            (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_EQ(Find(*layers, "listen").source, ConfigSource::kFile);
  EXPECT_EQ(Find(*layers, "listen").name, "listen (" + path + ":1)");
  EXPECT_EQ(layers->config_file, path);
  EXPECT_EQ(layers->config_from, "--config");
}

TEST_F(ConfigLayering, EnvBeatsFile) {
  Cli cli;
  std::string path = Write("a.toml", "listen = \"0.0.0.0:9000\"\nmax-connections = 77\n");
  ::setenv("LATCHKEY_LISTEN", "10.0.0.1:1", 1);
  auto layers = cli.Parse({"--config", path.c_str()});
  ASSERT_TRUE(layers) << layers.error().message;
  EXPECT_EQ(cli.c.listen, "10.0.0.1:1");
  EXPECT_EQ(Find(*layers, "listen").source, ConfigSource::kEnv);
  EXPECT_EQ(Find(*layers, "listen").name, "LATCHKEY_LISTEN");
  EXPECT_EQ(cli.c.max_connections, 77);  // the file still gives what the env does not
}

TEST_F(ConfigLayering, FlagBeatsEnvAndFile) {
  Cli cli;
  std::string path = Write("a.toml", "listen = \"0.0.0.0:9000\"\n");
  ::setenv("LATCHKEY_LISTEN", "10.0.0.1:1", 1);
  auto layers = cli.Parse({"--config", path.c_str(), "--listen", "10.0.0.2:2"});
  ASSERT_TRUE(layers) << layers.error().message;
  EXPECT_EQ(cli.c.listen, "10.0.0.2:2");
  EXPECT_EQ(Find(*layers, "listen").source, ConfigSource::kFlag);
}

TEST_F(ConfigLayering, FlagBeatsFile_RepeatableNotMerged) {
  Cli cli;
  std::string path = Write("a.toml", "allowed-origin = [\"https://file.example\"]\n");
  auto layers = cli.Parse({"--config", path.c_str(), "--allowed-origin", "https://flag.example"});
  ASSERT_TRUE(layers) << layers.error().message;
  EXPECT_EQ(cli.c.allowed_origins, std::vector<std::string>{"https://flag.example"});
}

TEST_F(ConfigLayering, EnvOfRepeatable_SplitAtCommas) {
  Cli cli;
  std::string path = Write("a.toml", "allowed-origin = [\"https://file.example\"]\n");
  ::setenv("LATCHKEY_ALLOWED_ORIGIN", "https://a.example,https://b.example", 1);
  auto layers = cli.Parse({"--config", path.c_str()});
  ASSERT_TRUE(layers) << layers.error().message;
  EXPECT_EQ(cli.c.allowed_origins,
            (std::vector<std::string>{"https://a.example", "https://b.example"}));
}

TEST_F(ConfigLayering, EmptyArrayInFile_LeavesTheEmptyDefault) {
  Cli cli;
  std::string path = Write("a.toml", "allowed-origin = []\n");
  auto layers = cli.Parse({"--config", path.c_str()});
  ASSERT_TRUE(layers) << layers.error().message;
  EXPECT_TRUE(cli.c.allowed_origins.empty());
  EXPECT_EQ(Find(*layers, "allowed-origin").source, ConfigSource::kFile);
}

TEST_F(ConfigLayering, EmptyEnv_IsUnset) {
  Cli cli;
  std::string path = Write("a.toml", "listen = \"0.0.0.0:9000\"\n");
  ::setenv("LATCHKEY_LISTEN", "", 1);
  auto layers = cli.Parse({"--config", path.c_str()});
  ASSERT_TRUE(layers) << layers.error().message;
  EXPECT_EQ(cli.c.listen, "0.0.0.0:9000");
}

TEST_F(ConfigLayering, ConfigFileFromEnv) {
  Cli cli;
  std::string path = Write("a.toml", "listen = \"0.0.0.0:9000\"\n");
  ::setenv("LATCHKEY_CONFIG", path.c_str(), 1);
  auto layers = cli.Parse({});
  ASSERT_TRUE(layers) << layers.error().message;
  EXPECT_EQ(cli.c.listen, "0.0.0.0:9000");
  EXPECT_EQ(cli.c.config_file, path);
  EXPECT_EQ(layers->config_from, "LATCHKEY_CONFIG");
}

TEST_F(ConfigLayering, ConfigFlagBeatsConfigEnv) {
  Cli cli;
  std::string env_file = Write("env.toml", "listen = \"1.1.1.1:1\"\n");
  std::string flag_file = Write("flag.toml", "listen = \"2.2.2.2:2\"\n");
  ::setenv("LATCHKEY_CONFIG", env_file.c_str(), 1);
  auto layers = cli.Parse({"--config", flag_file.c_str()});
  ASSERT_TRUE(layers) << layers.error().message;
  EXPECT_EQ(cli.c.listen, "2.2.2.2:2");
}

TEST_F(ConfigLayering, MissingConfigFile_IsAnError) {
  Cli cli;
  std::string path = (dir_ / "absent.toml").string();
  auto layers = cli.Parse({"--config", path.c_str()});
  ASSERT_FALSE(layers);
  EXPECT_NE(layers.error().message.find(path), std::string::npos) << layers.error().message;
}

TEST_F(ConfigLayering, UnknownKeyInFile_IsAnErrorEvenWhenAFlagIsGiven) {
  Cli cli;
  std::string path = Write("a.toml", "\nlisten = \"a:1\"\nthreds = 4\n");
  auto layers = cli.Parse({"--config", path.c_str(), "--listen", "b:2"});
  ASSERT_FALSE(layers);
  EXPECT_NE(layers.error().message.find(path + ":3: unknown key 'threds'"), std::string::npos)
      << layers.error().message;
}

TEST_F(ConfigLayering, OneFileForEveryCommand_EachTakesItsOwnKeys) {
  Cli cli;
  std::string path = Write("a.toml", "listen = \"0.0.0.0:9000\"\ndata-dir = \"/srv/lk\"\n");
  std::vector<const char*> args = {"latchkey", "keys", "--config", path.c_str()};
  auto layers = ParseLayered(cli.app, static_cast<int>(args.size()), args.data());
  ASSERT_TRUE(layers) << layers.error().message;
  EXPECT_EQ(cli.keys_c.data_dir, "/srv/lk");
  ASSERT_EQ(layers->settings.size(), 1u);  // the command's own: data-dir
  EXPECT_EQ(cli.c.listen, "127.0.0.1:8080");

  Cli typo;
  std::string bad = Write("b.toml", "data-dri = \"/srv/lk\"\n");
  args = {"latchkey", "keys", "--config", bad.c_str()};
  auto refused = ParseLayered(typo.app, static_cast<int>(args.size()), args.data());
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("did you mean 'data-dir'?"), std::string::npos)
      << refused.error().message;
}

TEST_F(ConfigLayering, ConfigKeyInFile_IsUnknown) {
  Cli cli;
  std::string path = Write("a.toml", "config = \"/other.toml\"\n");
  auto layers = cli.Parse({"--config", path.c_str()});
  ASSERT_FALSE(layers);
  EXPECT_NE(layers.error().message.find("unknown key 'config'"), std::string::npos);
}

TEST_F(ConfigLayering, BadEnvValue_NamesTheVariable) {
  Cli cli;
  ::setenv("LATCHKEY_PASSWORD_HASH", "md5", 1);
  auto layers = cli.Parse({});
  ASSERT_FALSE(layers);
  EXPECT_NE(layers.error().message.find("LATCHKEY_PASSWORD_HASH"), std::string::npos)
      << layers.error().message;
  EXPECT_EQ(layers.error().message.find("--password-hash"), std::string::npos)
      << layers.error().message;
}

TEST_F(ConfigLayering, UnconvertibleEnvNumber_NamesTheVariable) {
  Cli cli;
  ::setenv("LATCHKEY_MAX_CONNECTIONS", "lots", 1);
  auto layers = cli.Parse({});
  ASSERT_FALSE(layers);
  EXPECT_NE(layers.error().message.find("LATCHKEY_MAX_CONNECTIONS"), std::string::npos)
      << layers.error().message;
}

TEST_F(ConfigLayering, BadFileValueForACheck_NamesTheKeyAndLine) {
  Cli cli;
  std::string path = Write("a.toml", "password-hash = \"md5\"\n");
  auto layers = cli.Parse({"--config", path.c_str()});
  ASSERT_FALSE(layers);
  EXPECT_NE(layers.error().message.find("password-hash (" + path + ":1)"), std::string::npos)
      << layers.error().message;
}

TEST_F(ConfigLayering, BadFlag_IsStillCli11s) {
  Cli cli;
  EXPECT_THROW(cli.Parse({"--password-hash", "md5"}), CLI::ValidationError);
  Cli unknown;
  EXPECT_THROW(unknown.Parse({"--no-such-flag"}), CLI::ExtrasError);
}

TEST_F(ConfigLayering, Help_StillListsEnvNames) {
  Cli cli;
  EXPECT_THROW(cli.Parse({"--help"}), CLI::CallForHelp);
  EXPECT_NE(cli.serve->help().find("LATCHKEY_LISTEN"), std::string::npos);
  Cli parsed;
  ASSERT_TRUE(parsed.Parse({}));
  EXPECT_NE(parsed.serve->help().find("LATCHKEY_MAX_CONNECTIONS"), std::string::npos);
}

TEST_F(ConfigLayering, ResolveErrors_NameTheSettingAsWritten) {
  Cli cli;
  std::string path = Write("a.toml", "\n\nlisten = \"nowhere\"\n");
  ::setenv("LATCHKEY_MAX_CONNECTIONS", "0", 1);
  auto layers = cli.Parse({"--config", path.c_str(), "--db", "mysql://x"});
  ASSERT_TRUE(layers) << layers.error().message;
  auto message = [&]() -> std::string {
    try {
      Resolve(cli.c);
    } catch (const std::invalid_argument& e) {
      return layers->Rename(e.what());
    }
    return "(no error)";
  };
  EXPECT_EQ(message().rfind("listen (" + path + ":3) must be host:port, got 'nowhere'", 0), 0u)
      << message();
  cli.c.listen = "127.0.0.1:1";
  EXPECT_EQ(message().rfind("--db must be", 0), 0u) << message();
  cli.c.db.clear();
  EXPECT_EQ(message().rfind("LATCHKEY_MAX_CONNECTIONS must be 1-1000000", 0), 0u) << message();
}

TEST_F(ConfigLayering, Rename_LeavesUnknownAndDefaultFlags) {
  Cli cli;
  ::setenv("LATCHKEY_LISTEN", "a:1", 1);
  auto layers = cli.Parse({});
  ASSERT_TRUE(layers);
  EXPECT_EQ(layers->Rename("--listen/--db: x, --tls-cert and ---listen"),
            "LATCHKEY_LISTEN/--db: x, --tls-cert and ---listen");
}

using PrintConfigTest = TempDir;

TEST_F(PrintConfigTest, EveryKeyWithItsSource_ReadsBackAsTheSameValues) {
  Cli cli;
  std::string path = Write("a.toml", "max-connections = 77\n");
  ::setenv("LATCHKEY_ALLOWED_ORIGIN", "https://a.example,https://b.example", 1);
  auto layers = cli.Parse({"--config", path.c_str(), "--listen", "0.0.0.0:9000"});
  ASSERT_TRUE(layers) << layers.error().message;
  std::ostringstream out;
  PrintConfig(*layers, "serve", out);
  std::string text = out.str();
  EXPECT_NE(text.find("listen = \"0.0.0.0:9000\"  # flag --listen\n"), std::string::npos) << text;
  EXPECT_NE(text.find("max-connections = 77  # file " + path + ":1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# env LATCHKEY_ALLOWED_ORIGIN\n"), std::string::npos) << text;
  EXPECT_NE(text.find("data-dir = \"./data\"  # default\n"), std::string::npos) << text;
  EXPECT_NE(text.find("password-hash = \"argon2id\"  # default\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# config file: " + path + " (from --config)"), std::string::npos) << text;

  // What it prints is a config file that gives the same configuration.
  toml::table table = toml::parse(text);
  EXPECT_EQ(table["listen"].value<std::string>(), "0.0.0.0:9000");
  EXPECT_EQ(table["max-connections"].value<int64_t>(), 77);
  EXPECT_EQ(table["db"].value<std::string>(), "");
  ASSERT_TRUE(table["allowed-origin"].is_array());
  EXPECT_EQ(table["allowed-origin"][1].value<std::string>(), "https://b.example");
  Cli again;
  std::string reprinted = Write("printed.toml", text);
  ::unsetenv("LATCHKEY_ALLOWED_ORIGIN");
  ASSERT_TRUE(again.Parse({"--config", reprinted.c_str()}));
  EXPECT_EQ(again.c.listen, "0.0.0.0:9000");
  EXPECT_EQ(again.c.max_connections, 77);
  EXPECT_EQ(again.c.allowed_origins, cli.c.allowed_origins);
}

TEST_F(PrintConfigTest, DatabasePassword_Masked) {
  Cli cli;
  std::string path =
      Write("a.toml", "db = \"postgres://app:hunter2@db.example:5433/latchkey?sslmode=require\"\n");
  auto layers = cli.Parse({"--config", path.c_str()});
  ASSERT_TRUE(layers) << layers.error().message;
  std::ostringstream out;
  PrintConfig(*layers, "serve", out);
  EXPECT_EQ(out.str().find("hunter2"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("db = \"postgres://app:***@db.example:5433/latchkey?sslmode=require\""),
            std::string::npos)
      << out.str();
}

TEST(MaskSetting, SecretsMaskedPathsAndNamesShown) {
  EXPECT_EQ(MaskSetting("db", "postgres://u:pw@h/d"), "postgres://u:***@h/d");
  EXPECT_EQ(MaskSetting("db", "postgres://h/d?password=pw"), "postgres://h/d?password=***");
  EXPECT_EQ(MaskSetting("db", "sqlite:./data/latchkey.db"), "sqlite:./data/latchkey.db");
  EXPECT_EQ(MaskSetting("db", "mysql://u:pw@h/d"), "mysql:<redacted>");
  EXPECT_EQ(MaskSetting("metrics-token", "abc"), "***");
  EXPECT_EQ(MaskSetting("smtp-password", "abc"), "***");
  EXPECT_EQ(MaskSetting("secret", "abc"), "***");
  EXPECT_EQ(MaskSetting("secret-file", "/etc/latchkey/secret.key"), "/etc/latchkey/secret.key");
  EXPECT_EQ(MaskSetting("tls-key", "/etc/tls/key.pem"), "/etc/tls/key.pem");
  EXPECT_EQ(MaskSetting("password-hash", "argon2id"), "argon2id");
  EXPECT_EQ(MaskSetting("common-passwords", "/x.txt"), "/x.txt");
}

}  // namespace
}  // namespace latchkey::app
