// A database password never reaches a log line or an error message: RedactDatabaseUrl (logs,
// --print-config), the --db validation error, and libpq's connection errors (scrubbed by
// Connection::Connect). No server needed: every connection here fails before or at connect.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "app/config.h"
#include "store/open_database.h"
#include "store/postgres/connection.h"
#include "store/postgres/postgres_database.h"

namespace latchkey::store {
namespace {

using postgres::Connection;
using postgres::ConninfoForDisplay;
using postgres::ScrubConninfoSecrets;

constexpr const char* kSecret = "s3cretpw";

struct Case {
  const char* url;
  const char* secret;    // must not appear in any output
  const char* expected;  // RedactDatabaseUrl's output
};

// The forms the reviewer found, and their relatives.
const Case kCases[] = {
    // '#' and '?' end the user info for Boost.URL, not for libpq (which connects with them).
    {"postgres://latchkey:pa#ss@db.example:5432/app", "pa#ss",
     "postgres://latchkey@db.example:5432/app"},
    {"postgres://latchkey:pa?ss@db.example/app", "pa?ss", "postgres://latchkey@db.example/app"},
    {"postgresql://latchkey:pa%23ss@db.example/app", "pa#ss",
     "postgresql://latchkey@db.example/app"},
    // libpq rejects a malformed percent escape, quoting the password.
    {"postgres://latchkey:pa%zzss@db.example/app", "pa%zzss", "postgres://<unparsable>"},
    // The password as a query parameter; other settings are left out too.
    {"postgres://latchkey@db.example/app?password=s3cretpw&sslmode=require", kSecret,
     "postgres://latchkey@db.example/app"},
    {"postgres://latchkey@db.example/app?sslpassword=s3cretpw", kSecret,
     "postgres://latchkey@db.example/app"},
    // Key=value conninfo and a one-slash URL are neither dialect: no part of them is shown.
    {"host=db.example password=s3cretpw dbname=app", kSecret, "<redacted>"},
    {"postgres:/latchkey:s3cretpw@db.example/app", kSecret, "postgres:<redacted>"},
    {"postgres:latchkey:s3cretpw@db.example/app", kSecret, "postgres:<redacted>"},
    {"mysql://root:s3cretpw@db.example/app", kSecret, "mysql:<redacted>"},
    {"Weird+Scheme://root:s3cretpw@db.example/app", kSecret, "<redacted>"},
    // libpq's error for a malformed IPv6 host quotes the whole URI.
    {"postgres://latchkey:s3cretpw@[::1:5432/app", kSecret, "postgres://<unparsable>"},
    // A port libpq parses but cannot use (quoted in its connect error).
    {"postgres://latchkey:s3cretpw@127.0.0.1:5x/app", kSecret,
     "postgres://latchkey@127.0.0.1:5x/app"},
    // A user or database name that holds the password is scrubbed as well.
    {"postgres://s3cretpw:s3cretpw@127.0.0.1/s3cretpw", kSecret, "postgres://***@127.0.0.1/***"},
    {"postgres://latchkey:s3cretpw@[::1]:6000,db.example:6001/app", kSecret,
     "postgres://latchkey@[::1]:6000,db.example:6001/app"},
    {"postgres://%2Fvar%2Frun%2Fpostgresql/app", "", "postgres://%2Fvar%2Frun%2Fpostgresql/app"},
};

TEST(RedactDatabaseUrl, NeverShowsThePassword) {
  for (const Case& c : kCases) {
    std::string shown = RedactDatabaseUrl(c.url);
    EXPECT_EQ(shown, c.expected) << c.url;
    if (*c.secret) {
      EXPECT_EQ(shown.find(c.secret), std::string::npos) << c.url;
    }
    EXPECT_EQ(shown.find(kSecret), std::string::npos) << c.url;
  }
}

TEST(RedactDatabaseUrl, SqliteUrlIsShownAsIs) {
  EXPECT_EQ(RedactDatabaseUrl("sqlite:/var/lib/latchkey/latchkey.db"),
            "sqlite:/var/lib/latchkey/latchkey.db");
}

TEST(RedactDatabaseUrl, PlainPostgresUrlKeepsItsParts) {
  EXPECT_EQ(RedactDatabaseUrl("postgres://latchkey@127.0.0.1:5432/postgres"),
            "postgres://latchkey@127.0.0.1:5432/postgres");
  EXPECT_EQ(RedactDatabaseUrl("postgres://latchkey:pw@h/d"), "postgres://latchkey@h/d");
  EXPECT_EQ(RedactDatabaseUrl("postgres://"), "postgres://");
}

TEST(ScrubConninfoSecrets, ReplacesDecodedAndRawForms) {
  const std::string url = "postgres://u:pa%23ss@h/d?sslpassword=k%20ey";
  EXPECT_EQ(ScrubConninfoSecrets("a pa#ss b pa%23ss c k ey d k%20ey", url),
            "a *** b *** c *** d ***");
  EXPECT_EQ(ScrubConninfoSecrets("nothing secret", url), "nothing secret");
  // Unparsable: the secrets are unknown, so nothing of the text is kept.
  std::string scrubbed = ScrubConninfoSecrets("bad pa%zzss", "postgres://u:pa%zzss@h/d");
  EXPECT_EQ(scrubbed.find("pa%zzss"), std::string::npos);
}

TEST(ConnectError, NeverQuotesThePassword) {
  for (const Case& c : kCases) {
    if (!std::string_view(c.url).starts_with("postgres")) continue;
    if (std::string_view(c.url).find("db.example") != std::string_view::npos) continue;  // DNS
    if (std::string_view(c.url).find("%2F") != std::string_view::npos) continue;
    std::string error;
    auto conn = Connection::Connect(c.url, error, nullptr, std::chrono::milliseconds(500));
    EXPECT_EQ(conn, nullptr) << c.url;
    EXPECT_FALSE(error.empty()) << c.url;
    if (*c.secret) {
      EXPECT_EQ(error.find(c.secret), std::string::npos) << c.url << ": " << error;
    }
    EXPECT_EQ(error.find(kSecret), std::string::npos) << c.url << ": " << error;
  }
}

TEST(ConnectError, LibpqMessageQuotingThePassword_IsScrubbed) {
  // libpq quotes a bad port in its error: here the port is the password.
  std::string error;
  auto conn = Connection::Connect("postgres://u:s3cretpw@127.0.0.1:s3cretpw/d", error);
  ASSERT_EQ(conn, nullptr);
  EXPECT_EQ(error.find(kSecret), std::string::npos) << error;
  EXPECT_NE(error.find("***"), std::string::npos) << error;
}

TEST(ConnectError, UnparsableUrl_FixedMessage) {
  std::string error;
  auto conn = Connection::Connect("postgres://u:pa%zzss@127.0.0.1/d", error);
  ASSERT_EQ(conn, nullptr);
  EXPECT_EQ(error.find("pa%zzss"), std::string::npos) << error;
  EXPECT_NE(error.find("cannot parse"), std::string::npos) << error;
}

TEST(PostgresDatabase, UnparsableUrl_ThrowsWithoutQuotingIt) {
  try {
    postgres::PostgresDatabase db("postgres://u:s3cretpw@[::1:5432/d", 1);
    FAIL() << "constructed";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).find(kSecret), std::string::npos) << e.what();
  }
}

TEST(OpenDatabase, OtherScheme_ErrorDoesNotEchoTheValue) {
  for (const char* url : {"host=h password=s3cretpw dbname=d", "postgres:/u:s3cretpw@h/d"}) {
    try {
      OpenDatabase(url, 1);
      FAIL() << "opened " << url;
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()).find(kSecret), std::string::npos) << e.what();
    }
  }
}

TEST(ResolveConfig, BadDb_ErrorDoesNotEchoTheValue) {
  app::ServeConfig config;
  config.db = "host=h password=s3cretpw dbname=d";
  try {
    app::Resolve(config);
    FAIL() << "resolved";
  } catch (const std::invalid_argument& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("--db"), std::string::npos) << what;
    EXPECT_EQ(what.find(kSecret), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace latchkey::store
