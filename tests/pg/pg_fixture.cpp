#include "pg_fixture.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
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

std::string ClusterScript() { return std::string(LATCHKEY_SOURCE_DIR) + "/scripts/pg-cluster.sh"; }

// The postmaster's pid and its children's (from /proc); empty when there is no postmaster.pid.
std::vector<pid_t> ServerPids(const std::string& dir) {
  std::ifstream pidfile(dir + "/data/postmaster.pid");
  pid_t postmaster = 0;
  if (!(pidfile >> postmaster) || postmaster <= 0) return {};
  std::vector<pid_t> pids{postmaster};
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
    std::istringstream rest(line.substr(line.rfind(')') + 1));
    char state = 0;
    pid_t ppid = 0;
    if (rest >> state >> ppid && ppid == postmaster) pids.push_back(std::stoi(name));
  }
  return pids;
}

}  // namespace

PrivateCluster::PrivateCluster() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "latchkey-pg-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  // The watchdog: a shell in its own session, waiting on a pipe whose write end only this
  // process holds (close-on-exec keeps it out of the server's processes). "done" means we
  // cleaned up ourselves; end of file without it means we died: resume and stop the cluster.
  ::signal(SIGPIPE, SIG_IGN);  // a watchdog killed from outside must not take us with it
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  std::string script =
      "IFS= read -r line; [ \"$line\" = done ] && exit 0; "
      "pm=$(head -n1 \"$1/data/postmaster.pid\" 2>/dev/null) && "
      "kill -CONT $pm $(pgrep -P $pm) 2>/dev/null; \"$2\" stop \"$1\" >/dev/null 2>&1";
  std::string script_path = ClusterScript();
  pid_t child = ::fork();
  if (child < 0) throw std::runtime_error("fork failed");
  if (child == 0) {
    ::setsid();
    ::dup2(fds[0], STDIN_FILENO);
    ::execl("/bin/sh", "sh", "-c", script.c_str(), "watchdog", dir_.c_str(), script_path.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[0]);
  watchdog_pid_ = child;
  watchdog_fd_ = fds[1];
  Run("start");
  std::ifstream in(dir_ + "/url");
  std::getline(in, url_);
  if (url_.empty()) throw std::runtime_error("pg-cluster.sh start wrote no URL");
}

PrivateCluster::~PrivateCluster() {
  Resume();
  std::string cmd = ClusterScript() + " stop " + dir_ + " >/dev/null";
  if (std::system(cmd.c_str()) != 0) ADD_FAILURE() << cmd << " failed";
  if (::write(watchdog_fd_, "done\n", 5) != 5) ADD_FAILURE() << "cannot dismiss the watchdog";
  ::close(watchdog_fd_);
  ::waitpid(watchdog_pid_, nullptr, 0);
}

void PrivateCluster::Run(const std::string& command) const {
  std::string cmd = ClusterScript() + " " + command + " " + dir_ + " >/dev/null";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error(cmd + " failed");
}

void PrivateCluster::Stall() const {
  auto pids = ServerPids(dir_);
  if (pids.empty()) throw std::runtime_error("no postmaster.pid in " + dir_);
  for (pid_t pid : pids) ::kill(pid, SIGSTOP);  // the postmaster first: it forks no more
}

void PrivateCluster::Resume() const {
  for (pid_t pid : ServerPids(dir_)) ::kill(pid, SIGCONT);
}

PgScratchDatabase::PgScratchDatabase() {
  const char* file = std::getenv("LATCHKEY_TEST_PG_URL_FILE");
  if (file == nullptr) {
    throw std::runtime_error(
        "LATCHKEY_TEST_PG_URL_FILE is not set. Run `ctest -L postgres` (its `pg` fixture starts "
        "a cluster), or `scripts/pg-cluster.sh start DIR` and export "
        "LATCHKEY_TEST_PG_URL_FILE=DIR/url");
  }
  std::ifstream in(file);
  std::getline(in, admin_url_);
  if (admin_url_.empty()) {
    throw std::runtime_error(std::string("no PostgreSQL URL in ") + file +
                             " (did scripts/pg-cluster.sh start fail?)");
  }
  dbname_ = "lk_" + RandomHex(8);
  std::string create = "CREATE DATABASE " + dbname_;
  auto created = ConnectAdmin()->ExecScript(create.c_str());
  if (!created.ok()) throw std::runtime_error("CREATE DATABASE failed: " + created.message());
  url_ = admin_url_.substr(0, admin_url_.rfind('/') + 1) + dbname_;
}

PgScratchDatabase::~PgScratchDatabase() {
  std::string drop = "DROP DATABASE IF EXISTS " + dbname_ + " WITH (FORCE)";
  auto dropped = ConnectAdmin()->ExecScript(drop.c_str());
  EXPECT_TRUE(dropped.ok()) << dropped.message();
}

std::unique_ptr<Connection> PgScratchDatabase::Connect() const { return MustConnect(url_); }

std::unique_ptr<Connection> PgScratchDatabase::ConnectAdmin() const {
  return MustConnect(admin_url_);
}

void PgTest::SetUp() {
  try {
    scratch_ = std::make_unique<PgScratchDatabase>();
  } catch (const std::exception& e) {
    FAIL() << e.what();
  }
  if (OpenOnSetUp()) db_ = Open();
}

void PgTest::TearDown() {
  db_.reset();
  scratch_.reset();
}

std::unique_ptr<PostgresDatabase> PgTest::Open(std::size_t pool_size) const {
  return std::make_unique<PostgresDatabase>(url(), pool_size);
}

std::unique_ptr<Connection> PgTest::Connect() const { return scratch_->Connect(); }

std::unique_ptr<Connection> PgTest::ConnectAdmin() const { return scratch_->ConnectAdmin(); }

void PgTest::TerminateConnections() const {
  auto admin = ConnectAdmin();
  auto r = admin->Exec(kTerminate, {scratch_->name()});
  ASSERT_TRUE(r.ok()) << r.message();
  ASSERT_TRUE(Eventually([&] { return CountConnections() == 0; }))
      << "connections to " << scratch_->name() << " survived pg_terminate_backend";
}

void PgTest::AllowConnections(bool allow) const {
  std::string sql =
      "ALTER DATABASE " + scratch_->name() + " ALLOW_CONNECTIONS " + (allow ? "true" : "false");
  auto r = ConnectAdmin()->ExecScript(sql.c_str());
  ASSERT_TRUE(r.ok()) << r.message();
}

long PgTest::CountConnections() const {
  auto r = ConnectAdmin()->Exec(kCountConnections, {scratch_->name()});
  if (!r.ok()) throw std::runtime_error("cannot count connections: " + r.message());
  return static_cast<long>(r.Int(0, 0));
}

}  // namespace latchkey::testing
