#include "store/feed_nodes.h"

#include <unistd.h>

#include <climits>
#include <cstdio>
#include <random>

namespace latchkey::store {

FeedNodeIdentity ThisProcessNode() {
  FeedNodeIdentity node;
  // Unique, not secret: the row names a process to operators and to no one else.
  std::random_device random;
  char hex[9];
  for (int i = 0; i < 4; ++i) {
    std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(random()));
    node.id += hex;
  }
  char host[HOST_NAME_MAX + 1] = {};
  if (::gethostname(host, sizeof host - 1) == 0) node.host = host;
  node.pid = static_cast<std::int64_t>(::getpid());
  return node;
}

}  // namespace latchkey::store
