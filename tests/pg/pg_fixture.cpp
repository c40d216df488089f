#include "pg_fixture.h"

#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>
#include <thread>

namespace latchkey::testing {
namespace {

using store::postgres::Connection;
using store::postgres::PostgresDatabase;

constexpr const char* kTerminate =
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
    " WHERE datname = $1 AND pid <> pg_backend_pid()";
constexpr const char* kCountConnections =
    "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()";

std::string RandomHex(int bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device rd;
  std::string out;
  for (int i = 0; i < bytes; ++i) {
    unsigned v = rd() & 0xFF;
    out += kHex[v >> 4];
    out += kHex[v & 0xF];
  }
  return out;
}

std::unique_ptr<Connection> MustConnect(const std::string& url) {
  std::string error;
  auto conn = Connection::Connect(url, error);
  if (!conn) throw std::runtime_error("cannot connect to the test cluster: " + error);
  return conn;
}

}  // namespace

void PgTest::SetUp() {
  const char* file = std::getenv("LATCHKEY_TEST_PG_URL_FILE");
  ASSERT_NE(file, nullptr)
      << "LATCHKEY_TEST_PG_URL_FILE is not set. Run `ctest -L postgres` (its `pg` fixture starts "
         "a cluster), or `scripts/pg-cluster.sh start DIR` and export "
         "LATCHKEY_TEST_PG_URL_FILE=DIR/url";
  std::ifstream in(file);
  std::getline(in, admin_url_);
  ASSERT_FALSE(admin_url_.empty())
      << "no PostgreSQL URL in " << file << " (did scripts/pg-cluster.sh start fail?)";
  dbname_ = "lk_" + RandomHex(8);
  std::string create = "CREATE DATABASE " + dbname_;
  auto created = ConnectAdmin()->ExecScript(create.c_str());
  ASSERT_TRUE(created.ok()) << created.message();
  url_ = admin_url_.substr(0, admin_url_.rfind('/') + 1) + dbname_;
  if (OpenOnSetUp()) db_ = Open();
}

void PgTest::TearDown() {
  db_.reset();
  if (dbname_.empty() || admin_url_.empty()) return;
  std::string drop = "DROP DATABASE IF EXISTS " + dbname_ + " WITH (FORCE)";
  auto dropped = ConnectAdmin()->ExecScript(drop.c_str());
  EXPECT_TRUE(dropped.ok()) << dropped.message();
}

std::unique_ptr<PostgresDatabase> PgTest::Open(std::size_t pool_size) const {
  return std::make_unique<PostgresDatabase>(url_, pool_size);
}

std::unique_ptr<Connection> PgTest::Connect() const { return MustConnect(url_); }

std::unique_ptr<Connection> PgTest::ConnectAdmin() const { return MustConnect(admin_url_); }

void PgTest::TerminateConnections() const {
  auto admin = ConnectAdmin();
  auto r = admin->Exec(kTerminate, {dbname_});
  ASSERT_TRUE(r.ok()) << r.message();
  ASSERT_TRUE(Eventually([&] { return CountConnections() == 0; }))
      << "connections to " << dbname_ << " survived pg_terminate_backend";
}

void PgTest::AllowConnections(bool allow) const {
  std::string sql =
      "ALTER DATABASE " + dbname_ + " ALLOW_CONNECTIONS " + (allow ? "true" : "false");
  auto r = ConnectAdmin()->ExecScript(sql.c_str());
  ASSERT_TRUE(r.ok()) << r.message();
}

long PgTest::CountConnections() const {
  auto r = ConnectAdmin()->Exec(kCountConnections, {dbname_});
  if (!r.ok()) throw std::runtime_error("cannot count connections: " + r.message());
  return static_cast<long>(r.Int(0, 0));
}

std::string TokenHash(const std::string& tag) {
  std::string h = "feed" + tag;
  h.resize(64, '0');
  return h;
}

session::SessionRecord MakeSession(identity::UserId user_id, const std::string& tag,
                                   UnixSeconds created_at, UnixSeconds expires_at,
                                   UnixSeconds idle_timeout) {
  session::SessionRecord s;
  s.id = "sid-" + tag;
  s.user_id = user_id;
  s.token_hash = TokenHash(tag);
  s.created_at = created_at;
  s.last_seen_at = created_at;
  s.expires_at = expires_at;
  s.user_agent = "test-agent/1.0";
  s.ip = "192.0.2.1";
  s.idle_timeout = idle_timeout;
  s.persistent = true;
  return s;
}

identity::NewUser MakeUser(const std::string& username, UnixSeconds created_at) {
  return identity::NewUser{username, "Name of " + username, "$argon2id$v=19$m=65536,t=2,p=1$x$y",
                           created_at};
}

bool Eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

void RecordingSink::OnFeedUp() {
  std::lock_guard lock(mu_);
  ++ups;
  cv_.notify_all();
}

void RecordingSink::OnFeedDown() {
  std::lock_guard lock(mu_);
  ++downs;
  cv_.notify_all();
}

void RecordingSink::OnSessionChanged(std::string_view token_hash) {
  std::lock_guard lock(mu_);
  tokens.emplace_back(token_hash);
  cv_.notify_all();
}

void RecordingSink::OnUserChanged(identity::UserId user_id) {
  std::lock_guard lock(mu_);
  users.push_back(user_id);
  cv_.notify_all();
}

bool RecordingSink::WaitUntil(const std::function<bool(const RecordingSink&)>& pred,
                              std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return pred(*this); });
}

bool RecordingSink::HasToken(const std::string& hash) const {
  for (const auto& t : tokens) {
    if (t == hash) return true;
  }
  return false;
}

bool RecordingSink::HasUser(identity::UserId id) const {
  for (auto u : users) {
    if (u == id) return true;
  }
  return false;
}

}  // namespace latchkey::testing
