#include "app/admin_mail.h"

#include <boost/json.hpp>

#include <charconv>
#include <cstdio>
#include <string>

#include "app/admin_io.h"
#include "app/seal_keys.h"
#include "base/time_format.h"
#include "courier/mime_message.h"

namespace latchkey::app {
namespace {

boost::json::object MailJson(const mail::MailRecord& r) {
  boost::json::object o;
  o["id"] = r.id;
  o["kind"] = r.kind;
  o["recipient"] = r.recipient;
  o["user_id"] = r.user_id ? boost::json::value(*r.user_id) : boost::json::value(nullptr);
  o["state"] = mail::MailStateName(r.state);
  o["attempts"] = r.attempts;
  o["created_at"] = FormatRfc3339(r.created_at);
  o["next_attempt_at"] = FormatRfc3339(r.next_attempt_at);
  o["sent_at"] = r.sent_at ? boost::json::value(FormatRfc3339(*r.sent_at)) : nullptr;
  o["message_id"] = r.message_id;
  o["last_error"] = r.last_error;
  o["has_content"] = r.has_payload;
  return o;
}

int List(AdminContext& ctx, const AdminOptions& o) {
  std::optional<mail::MailState> state;
  if (!o.state.empty()) {
    state = mail::ParseMailState(o.state);
    if (!state) return Fail("--state must be queued, sent or failed");
  }
  auto rows = ctx.db().outbox().List(state, o.limit);
  if (!rows) return Fail(MessageOf(rows.error()));
  if (o.json) {
    boost::json::array out;
    for (const auto& r : *rows) out.push_back(MailJson(r));
    std::printf("%s\n", boost::json::serialize(out).c_str());
    return 0;
  }
  std::vector<std::vector<std::string>> table;
  for (const auto& r : *rows) {
    table.push_back({std::to_string(r.id), std::string(mail::MailStateName(r.state)), r.kind,
                     r.recipient, std::to_string(r.attempts), FormatRfc3339(r.created_at),
                     r.sent_at ? FormatRfc3339(*r.sent_at) : FormatRfc3339(r.next_attempt_at),
                     r.last_error});
  }
  PrintTable({"ID", "STATE", "KIND", "RECIPIENT", "ATTEMPTS", "CREATED", "SENT/NEXT", "ERROR"},
             table);
  return 0;
}

int Retry(AdminContext& ctx, const AdminOptions& o) {
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(o.target.data(), o.target.data() + o.target.size(), id);
  if (ec != std::errc() || end != o.target.data() + o.target.size() || id <= 0) {
    return Fail("mail retry needs a message id (`latchkey mail list`)");
  }
  auto outcome = ctx.db().outbox().Retry(id, ctx.Now());
  if (!outcome) return Fail(MessageOf(outcome.error()));
  switch (*outcome) {
    case mail::RetryOutcome::kRequeued:
      std::printf("mail %lld queued: a running server sends it now\n", static_cast<long long>(id));
      return 0;
    case mail::RetryOutcome::kNotFound:
      return Fail("no mail " + o.target);
    case mail::RetryOutcome::kAlreadySent:
      return Fail("mail " + o.target + " was sent already");
    case mail::RetryOutcome::kNoContent:
      return Fail("mail " + o.target +
                  " was given up too long ago: its content is gone (it may have carried a "
                  "token); ask the user to request it again");
  }
  return 1;
}

int Test(AdminContext& ctx, const AdminOptions& o, const Settings& settings) {
  auto box = courier::ParseMailbox(o.target);
  if (!box || !box->name.empty()) return Fail("mail test needs one address (ann@example.org)");
  auto sealer = LoadSealer(settings, /*create=*/false);
  mail::OutgoingMail m{"test", box->address, std::nullopt, mail::SealMailVariables(sealer, {})};
  auto id = ctx.db().outbox().Enqueue(m, ctx.Now());
  if (!id) return Fail(MessageOf(id.error()));
  std::printf("mail %lld queued to %s: a running server sends it (`latchkey mail list`)\n",
              static_cast<long long>(*id), box->address.c_str());
  return 0;
}

}  // namespace

int RunMailCommand(std::string_view command, const AdminOptions& options) {
  Settings settings = Resolve(options.config);
  AdminContext ctx(settings, /*with_password_rules=*/false);
  if (command == "list") return List(ctx, options);
  if (command == "retry") return Retry(ctx, options);
  return Test(ctx, options, settings);
}

}  // namespace latchkey::app
