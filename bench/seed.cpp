// latchkey_bench_seed: fills a fresh data directory with N users, each with one live session,
// for the benchmark suite (bench/run.sh), without going through the HTTP API: a signup hashes
// its password (tens of ms), far too slow for 1,000,000 users.
//
//   latchkey_bench_seed --data-dir D --users N --cookies-out FILE
//                       [--cookie-sample K] [--password P]
//
// It opens <D>/latchkey.db through store::sqlite::SqliteDatabase (which runs the migrations),
// hashes the password once with the server's default PasswordHasher parameters and gives every
// user (bench0 .. bench<N-1>) that hash, then writes one session per user whose token comes
// from SessionTokenCodec over the keyring of <D>/secret.key (created when missing), so a
// server started with --data-dir D accepts the cookies. All rows go in one transaction with
// prepared statements (the INSERTs of store/sqlite/sqlite_store.cpp).
//
// FILE gets K session cookie values (the value of `latchkey_session=` over plain HTTP), one a
// line, in random order: K defaults to N and is capped at 1,000,000; when K < N they are
// sampled uniformly without replacement. Prints the time taken (1,000,000 users: about 30 s on
// 2 cores). Only for benchmarks: cookie values are secrets and this writes them to a file, and
// the rows are written without a journal.
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "crypto/keyring.h"
#include "crypto/password_hasher.h"
#include "crypto/random.h"
#include "session/session_token.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_database.h"

namespace {

using latchkey::UnixSeconds;
namespace sqlite = latchkey::store::sqlite;

constexpr std::int64_t kMaxCookieSample = 1'000'000;
constexpr UnixSeconds kLifetime = 30LL * 24 * 3600;     // --session-lifetime default
constexpr UnixSeconds kIdleTimeout = 14LL * 24 * 3600;  // --session-idle-timeout default
constexpr std::size_t kSessionIdBytes = 16;             // 22 base64url chars

// The same statements as store/sqlite/sqlite_store.cpp.
constexpr const char* kInsertUser =
    "INSERT INTO users (username, name, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)";
constexpr const char* kInsertSession =
    "INSERT INTO sessions (id, user_id, token_hash, created_at, last_seen_at, expires_at,"
    " user_agent, ip, idle_timeout, persistent) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

struct Options {
  std::string data_dir;
  std::int64_t users = -1;
  std::string cookies_out;
  std::int64_t cookie_sample = -1;  // -1: all (capped)
  std::string password = "bench-password-1";
};

[[noreturn]] void Usage(const std::string& problem) {
  std::fprintf(stderr,
               "latchkey_bench_seed: %s\n"
               "usage: latchkey_bench_seed --data-dir D --users N --cookies-out FILE "
               "[--cookie-sample K] [--password P]\n",
               problem.c_str());
  std::exit(2);
}

std::int64_t ParseCount(std::string_view flag, const std::string& text) {
  std::size_t used = 0;
  long long v = -1;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || v < 0) Usage(std::string(flag) + " needs a number >= 0");
  return v;
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (i + 1 >= argc) Usage(std::string(flag) + " needs a value");
    std::string value = argv[++i];
    if (flag == "--data-dir") {
      o.data_dir = value;
    } else if (flag == "--users") {
      o.users = ParseCount(flag, value);
    } else if (flag == "--cookies-out") {
      o.cookies_out = value;
    } else if (flag == "--cookie-sample") {
      o.cookie_sample = ParseCount(flag, value);
    } else if (flag == "--password") {
      o.password = value;
    } else {
      Usage("unknown flag " + std::string(flag));
    }
  }
  if (o.data_dir.empty() || o.users < 0 || o.cookies_out.empty()) {
    Usage("--data-dir, --users and --cookies-out are required");
  }
  return o;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void Check(int rc, int want, sqlite::Connection& conn, const char* what) {
  if (rc != want) {
    throw std::runtime_error(std::string(what) + ": " + conn.ErrorMessage() + " (sqlite " +
                             std::to_string(conn.ExtendedErrcode()) + ")");
  }
}

// N fresh session tokens and public session ids, made on every core.
struct Minted {
  std::vector<latchkey::session::IssuedToken> tokens;
  std::vector<std::string> ids;
};

Minted Mint(std::size_t n, const latchkey::session::SessionTokenCodec& codec) {
  Minted m;
  m.tokens.resize(n);
  m.ids.resize(n);
  unsigned workers = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      for (std::size_t i = w; i < n; i += workers) {
        m.tokens[i] = codec.Issue();
        m.ids[i] = latchkey::crypto::RandomToken(kSessionIdBytes);
      }
    });
  }
  for (auto& t : threads) t.join();
  return m;
}

// Seeds the users and sessions; returns the cookie values of the sampled sessions. Rows go
// in random token order, as sessions created one by one would (inserting them sorted by token
// hash is only about 15% faster and would leave the indexes unlike a live server's).
std::vector<std::string> Seed(const Options& o, const std::string& db_path,
                              const latchkey::session::SessionTokenCodec& codec,
                              const std::string& password_hash, std::int64_t sample) {
  sqlite::Connection conn(db_path);
  // Seeding only: a big page cache, and no journal: a crash loses nothing that matters (the
  // benchmark starts over on a fresh directory).
  Check(conn.Exec("PRAGMA cache_size=-1048576"), SQLITE_OK, conn, "cache_size");
  Check(conn.Exec("PRAGMA synchronous=OFF"), SQLITE_OK, conn, "synchronous");
  Check(conn.Exec("PRAGMA journal_mode=OFF"), SQLITE_OK, conn, "journal_mode");

  Minted minted = Mint(static_cast<std::size_t>(o.users), codec);
  std::mt19937_64 rng(randombytes_random() | (std::uint64_t{randombytes_random()} << 32));
  std::vector<std::string> cookies;
  cookies.reserve(static_cast<std::size_t>(sample));
  const UnixSeconds now = latchkey::SystemClock().Now();

  sqlite::Transaction tx(conn);
  Check(tx.BeginError(), SQLITE_OK, conn, "begin");
  std::int64_t wanted = sample;  // selection sampling (Knuth, Algorithm S)
  for (std::int64_t i = 0; i < o.users; ++i) {
    {
      auto stmt = conn.Prepare(kInsertUser);
      if (!stmt) throw std::runtime_error("prepare user insert");
      Check(stmt->Bind(1, "bench" + std::to_string(i))
                .Bind(2, "Bench User " + std::to_string(i))
                .Bind(3, password_hash)
                .Bind(4, now)
                .Step(),
            SQLITE_DONE, conn, "insert user");
    }
    const std::int64_t user_id = conn.LastInsertRowId();
    auto& token = minted.tokens[static_cast<std::size_t>(i)];
    {
      auto stmt = conn.Prepare(kInsertSession);
      if (!stmt) throw std::runtime_error("prepare session insert");
      Check(stmt->Bind(1, minted.ids[static_cast<std::size_t>(i)])
                .Bind(2, user_id)
                .Bind(3, std::string_view(token.token_hash.value()))
                .Bind(4, now)
                .Bind(5, now)
                .Bind(6, now + kLifetime)
                .Bind(7, std::string_view("latchkey_bench_seed"))
                .Bind(8, std::string_view("127.0.0.1"))
                .Bind(9, kIdleTimeout)
                .Bind(10, std::int64_t{1})
                .Step(),
            SQLITE_DONE, conn, "insert session");
    }
    if (wanted > 0 &&
        std::uniform_int_distribution<std::int64_t>(0, o.users - i - 1)(rng) < wanted) {
      cookies.emplace_back(token.cookie_value.Reveal());
      --wanted;
    }
  }
  Check(tx.Commit(), SQLITE_OK, conn, "commit");
  // Back to the server's journal mode (kept in the file).
  Check(conn.Exec("PRAGMA journal_mode=WAL"), SQLITE_OK, conn, "journal_mode");
  std::shuffle(cookies.begin(), cookies.end(), rng);
  return cookies;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = Parse(argc, argv);
  spdlog::set_level(spdlog::level::warn);
  try {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    auto start = std::chrono::steady_clock::now();
    std::filesystem::create_directories(o.data_dir);
    const std::string db_path = o.data_dir + "/latchkey.db";
    // Creates the file and brings the schema to the newest version, then lets it go.
    { sqlite::SqliteDatabase migrated(db_path, 1); }

    auto keys = latchkey::crypto::Keyring::LoadOrCreate(o.data_dir + "/secret.key", true);
    latchkey::session::SessionTokenCodec codec(keys);

    auto hash_start = std::chrono::steady_clock::now();
    latchkey::crypto::PasswordHasher hasher(latchkey::crypto::PasswordHashParams{});
    auto hash = hasher.Hash(o.password);
    if (!hash) throw std::runtime_error("password hashing failed");
    double hash_seconds = SecondsSince(hash_start);

    std::int64_t sample = std::min(
        o.users, std::min(o.cookie_sample < 0 ? o.users : o.cookie_sample, kMaxCookieSample));
    auto insert_start = std::chrono::steady_clock::now();
    std::vector<std::string> cookies = Seed(o, db_path, codec, *hash, sample);
    double insert_seconds = SecondsSince(insert_start);

    std::ofstream out(o.cookies_out, std::ios::trunc);
    for (const auto& c : cookies) out << c << '\n';
    out.close();
    if (!out) throw std::runtime_error("cannot write " + o.cookies_out);

    std::printf(
        "seeded %lld users with one session each in %.2f s (password hash %.3f s, rows %.2f s); "
        "%zu cookies in %s\n",
        static_cast<long long>(o.users), SecondsSince(start), hash_seconds, insert_seconds,
        cookies.size(), o.cookies_out.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "latchkey_bench_seed: %s\n", e.what());
    return 1;
  }
  return 0;
}
