#include "app/seal_keys.h"

#include <filesystem>
#include <stdexcept>

#include "store/open_database.h"

namespace latchkey::app {

crypto::Sealer LoadSealer(const Settings& settings, bool create) {
  bool shared = store::DialectOf(settings.database_url) == store::Dialect::kPostgres;
  if (shared && !std::filesystem::exists(settings.seal_key_file)) {
    throw std::invalid_argument(
        "seal key file " + settings.seal_key_file +
        " does not exist: with --db postgres every node must share one seal key file (beside "
        "--secret-file); create it with `latchkey keys rotate --secret-file <file>` and give "
        "it to every node");
  }
  return crypto::Sealer::LoadOrCreate(settings.seal_key_file, create && !shared);
}

}  // namespace latchkey::app
