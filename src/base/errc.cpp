#include "base/errc.h"

#include <stdexcept>

namespace latchkey {

void throw_exception_from_error(const Error& e, const boost::source_location& loc) {
  throw std::logic_error(std::string("unchecked Result error: ") + e.message + " at " +
                         loc.file_name() + ":" + std::to_string(loc.line()));
}

}  // namespace latchkey
