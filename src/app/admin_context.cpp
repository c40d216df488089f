#include "app/admin_context.h"

#include "app/app.h"

namespace latchkey::app {
AdminContext::AdminContext(const Settings& settings, bool with_password_rules)
    : db_(OpenConfiguredDatabase(settings, 1)),
      passwords_(with_password_rules
                     ? identity::PasswordPolicy::LoadFile(settings.common_passwords_file)
                     : identity::PasswordPolicy()),
      core_(clock_, *db_, passwords_, HashParamsOf(settings)) {}

}  // namespace latchkey::app
