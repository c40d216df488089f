#include "app/admin_context.h"

#include "app/app.h"

namespace latchkey::app {
namespace {

crypto::PasswordHashParams HashParams(const Settings& settings) {
  crypto::PasswordHashParams params;
  params.algorithm = settings.password_algorithm;
  return params;
}

}  // namespace

AdminContext::AdminContext(const Settings& settings, bool with_password_rules)
    : db_(OpenConfiguredDatabase(settings, 1)),
      hasher_(HashParams(settings)),
      passwords_(with_password_rules
                     ? identity::PasswordPolicy::LoadFile(settings.common_passwords_file)
                     : identity::PasswordPolicy()),
      audit_(db_->events(), clock_),
      service_(db_->users(), db_->sessions(), hasher_, passwords_, audit_, clock_) {}

}  // namespace latchkey::app
