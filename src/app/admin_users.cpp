#include "app/admin_users.h"

#include <boost/json.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "app/admin_io.h"
#include "app/server_confirmation.h"
#include "base/time_format.h"

namespace latchkey::app {
namespace {

// A user as listed: never its password hash.
struct UserRow {
  identity::UserRecord record;
  std::size_t sessions = 0;  // live sessions now
};

boost::json::object UserJson(const UserRow& row) {
  const auto& r = row.record;
  boost::json::object o;
  o["id"] = r.user.id.value();
  o["username"] = r.user.username;
  o["name"] = r.user.name;
  if (r.user.email.empty()) {
    o["email"] = nullptr;
  } else {
    o["email"] = r.user.email;
  }
  o["email_verified"] = r.user.email_verified;
  o["created_at"] = FormatRfc3339(r.created_at);
  o["disabled"] = r.disabled_at != UnixTime{};
  if (r.disabled_at != UnixTime{}) {
    o["disabled_at"] = FormatRfc3339(r.disabled_at);
  } else {
    o["disabled_at"] = nullptr;
  }
  o["sessions"] = row.sessions;
  return o;
}

std::vector<std::string> UserCells(const UserRow& row) {
  const auto& r = row.record;
  return {std::to_string(r.user.id.value()),
          r.user.username,
          r.user.name,
          FormatRfc3339(r.created_at),
          r.disabled_at != UnixTime{} ? FormatRfc3339(r.disabled_at) : "-",
          std::to_string(row.sessions)};
}

const std::vector<std::string> kUserHeaders = {"ID",      "USERNAME", "NAME",
                                               "CREATED", "DISABLED", "SESSIONS"};

Result<std::size_t> LiveSessions(AdminContext& ctx, identity::UserId id) {
  auto live = ctx.db().sessions().ListSessions(id, ctx.Now());
  if (!live) return live.error();
  return live->size();
}

int List(AdminContext& ctx, bool json) {
  std::vector<identity::UserRecord> users;
  auto r = ctx.db().ForEachUser([&](const identity::UserRecord& u) { users.push_back(u); });
  if (!r) return Fail(MessageOf(r.error()));
  std::vector<UserRow> rows;
  for (auto& u : users) {
    auto n = LiveSessions(ctx, u.user.id);
    if (!n) return Fail(MessageOf(n.error()));
    rows.push_back({std::move(u), *n});
  }
  if (json) {
    boost::json::array out;
    for (const auto& row : rows) out.push_back(UserJson(row));
    std::printf("%s\n", boost::json::serialize(out).c_str());
  } else {
    std::vector<std::vector<std::string>> cells;
    for (const auto& row : rows) cells.push_back(UserCells(row));
    PrintTable(kUserHeaders, cells);
  }
  return 0;
}

int Show(AdminContext& ctx, const std::string& ref, bool json) {
  auto user = ctx.service().FindUser(ref);
  if (!user) return Fail(MessageOf(user.error()));
  auto n = LiveSessions(ctx, user->user.id);
  if (!n) return Fail(MessageOf(n.error()));
  UserRow row{std::move(*user), *n};
  if (json) {
    std::printf("%s\n", boost::json::serialize(UserJson(row)).c_str());
    return 0;
  }
  auto cells = UserCells(row);
  for (std::size_t i = 0; i < kUserHeaders.size(); ++i) {
    std::vector<std::string> line = {kUserHeaders[i] + ":", cells[i]};
    std::printf("%-10s %s\n", line[0].c_str(), line[1].c_str());
  }
  return 0;
}

// A new password, for add and set-password. Exit code in `code` when it fails.
std::optional<Secret> NewPassword(const AdminOptions& o, int& code) {
  auto password = ReadNewPassword(o.password_stdin);
  if (!password) {
    std::fprintf(stderr, "latchkey: %s\n", std::string(MessageOf(password.error())).c_str());
    code = !o.password_stdin && !StdinIsTerminal() ? 2 : 1;
    return std::nullopt;
  }
  return Secret(std::move(*password));
}

}  // namespace

int RunUserCommand(std::string_view command, const AdminOptions& o) {
  bool new_password = command == "add" || command == "set-password";
  // Usage before any work: a password prompt needs a terminal.
  if (new_password && !o.password_stdin && !StdinIsTerminal()) {
    std::fprintf(stderr,
                 "latchkey: stdin is not a terminal: give the password with --password-stdin\n");
    return 2;
  }
  if (command == "delete" && !o.yes && !StdinIsTerminal()) {
    std::fprintf(stderr, "latchkey: stdin is not a terminal: confirm with --yes\n");
    return 2;
  }
  Settings settings = Resolve(o.config);
  AdminContext ctx(settings, new_password);
  auto& admin = ctx.service();

  if (command == "list") return List(ctx, o.json);
  if (command == "show") return Show(ctx, o.target, o.json);
  if (new_password) {
    int code = 0;
    auto password = NewPassword(o, code);
    if (!password) return code;
    if (command == "add") {
      auto user = admin.AddUser(o.target, o.name, *password, o.email);
      if (!user) return Fail(MessageOf(user.error()));
      std::printf("%lld\n", static_cast<long long>(user->id.value()));
      return 0;
    }
    auto user = admin.SetPassword(o.target, *password);
    if (!user) return Fail(MessageOf(user.error()));
    return FinishChange(ctx, "password of " + user->username + " set; every session of it ended");
  }
  if (command == "disable" || command == "enable") {
    bool disable = command == "disable";
    auto changed = disable ? admin.Disable(o.target) : admin.Enable(o.target);
    if (!changed) return Fail(MessageOf(changed.error()));
    if (!*changed) {
      std::printf("%s was already %s\n", o.target.c_str(), disable ? "disabled" : "enabled");
      return 0;
    }
    return FinishChange(ctx, o.target + (disable ? " disabled; its sessions ended" : " enabled"));
  }
  if (command == "delete") {
    auto user = admin.FindUser(o.target);
    if (!user) return Fail(MessageOf(user.error()));
    if (!o.yes && !Confirm("Delete user " + user->user.username + " (id " +
                           std::to_string(user->user.id.value()) + ") and every session of it?")) {
      return Fail("not deleted");
    }
    auto deleted = admin.DeleteUser(user->user.username);
    if (!deleted) return Fail(MessageOf(deleted.error()));
    return FinishChange(
        ctx, "deleted " + deleted->username + " (id " + std::to_string(deleted->id.value()) + ")");
  }
  return Fail("unknown command user " + std::string(command));
}

}  // namespace latchkey::app
