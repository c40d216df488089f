#include "mail/outbox_store.h"

namespace latchkey::mail {

std::string_view MailStateName(MailState state) {
  switch (state) {
    case MailState::kQueued:
      return "queued";
    case MailState::kSent:
      return "sent";
    case MailState::kFailed:
      return "failed";
  }
  return "queued";
}

std::optional<MailState> ParseMailState(std::string_view name) {
  for (MailState s : {MailState::kQueued, MailState::kSent, MailState::kFailed}) {
    if (MailStateName(s) == name) return s;
  }
  return std::nullopt;
}

}  // namespace latchkey::mail
