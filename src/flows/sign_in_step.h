// What a user who proved a first factor gets next: the one place that decides between a
// session now and a second step. Recovery by email goes through it after a reset, so it can
// never skip a second factor (issue 19: "design the flow so that it will ask for it then").
//
// Today no account has a second factor, so the answer is always kSessionNow. Issue 20 adds
// TOTP: AfterFirstFactor then answers kSecondFactorPending for an account with a confirmed
// factor, and the caller issues a pending session (aal1, only the second step allowed)
// instead of a full one. The recovery flow already handles both answers (flows/
// recovery_service.cpp: a pending answer carries no user session, only `second_factor`).
// Thread-safety: pure functions.
#pragma once

#include "identity/user.h"

namespace latchkey::flows {

enum class NextStep {
  kSessionNow,           // issue a full session
  kSecondFactorPending,  // issue 20: a pending session until the second step
};

// Where `user` goes after a first factor (a password, or a recovery token or code).
inline NextStep AfterFirstFactor(const identity::UserRecord& user) {
  (void)user;  // issue 20: the user's confirmed factors decide
  return NextStep::kSessionNow;
}

}  // namespace latchkey::flows
