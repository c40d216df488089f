// Flow tests of email and recovery: the FlowsTest node, plus the mail the flows queued, read
// back from the outbox table and opened with the node's sealer (as the sender would), so a
// test uses the very token and code a user would get.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "flows_fixture.h"
#include "mail/outgoing_mail.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/query.h"

namespace latchkey::flows {

struct QueuedMail {
  std::string kind;
  std::string recipient;
  std::map<std::string, std::string> variables;
  // The token of the mail's link (after "#token=").
  std::string token() const {
    auto link = variables.at("link");
    return link.substr(link.find("#token=") + 7);
  }
};

class AccountMailTest : public FlowsTest {
 protected:
  EmailService& email_ = node_.email;
  RecoveryService& recovery_ = node_.recovery;

  // The newest queued mail of `kind` (any kind when empty), or nullopt.
  std::optional<QueuedMail> LastMail(const std::string& kind = {}) {
    store::sqlite::Connection conn((dir_.path() / "latchkey.db").string());
    static constexpr const char* kSelect =
        "SELECT kind, recipient, payload FROM mail_outbox WHERE ?1 = '' OR kind = ?1"
        " ORDER BY id DESC LIMIT 1";
    auto row = store::sqlite::ReadOne(
        conn, kSelect, "test mail",
        [](const store::sqlite::Query& q) {
          return QueuedMail{q.Text(0), q.Text(1), {{"payload", q.Text(2)}}};
        },
        kind);
    if (!row || !*row) return std::nullopt;
    QueuedMail m = **row;
    auto vars = mail::OpenMailVariables(sealer_, m.variables.at("payload"));
    if (!vars) return std::nullopt;
    m.variables = *vars;
    return m;
  }

  long MailCount() {
    store::sqlite::Connection conn((dir_.path() / "latchkey.db").string());
    static constexpr const char* kCount = "SELECT count(*) FROM mail_outbox";
    return static_cast<long>(
        store::sqlite::ReadOne(conn, kCount, "test mail count",
                               [](const store::sqlite::Query& q) { return q.Int(0); })
            .value()
            .value_or(0));
  }

  // Signs `username` up with `email` and verifies it from the mail; the signup's result.
  LoginResult VerifiedUser(const std::string& username, const std::string& address) {
    auto r = auth_.Signup({username, "correct horse", "", true, address}, client_);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    auto mail = LastMail("verify_email");
    EXPECT_TRUE(mail);
    auto v = email_.VerifyByToken(mail->token(), client_);
    EXPECT_TRUE(v && v->email_verified);
    return std::move(*r);
  }
};

}  // namespace latchkey::flows
