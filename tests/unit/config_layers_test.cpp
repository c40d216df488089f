// The flag > env > file > default layering of settings (app/config_layers.h) and
// --print-config (app/config_print.h).
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>

#include "app/config.h"
#include "app/config_layers.h"
#include "app/config_print.h"
#include "config_test_support.h"

namespace latchkey::app {
namespace {

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

using ConfigLayering = ConfigTempDir;

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

using PrintConfigTest = ConfigTempDir;

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
