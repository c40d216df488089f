// A request the pipeline sends to an upstream (http/service.h Dispatch::forward): what the
// access decision (api/proxy_step.h) settled, and what the transport
// (http/transport/forward.h) needs to stream it. No Beast.
// Thread-safety: written by the pipeline (on the I/O thread or its pool's thread, before the
// transport resumes), then read by the connection's I/O thread only.
#pragma once

#include <cstddef>
#include <string>

#include "http/proxy/header_policy.h"

namespace latchkey::http::proxy {

struct ForwardPlan {
  std::size_t upstream = 0;  // index in UpstreamTable::upstreams()
  std::string target;        // the normalised path (path.h), then the query as sent
  RequestRewrite rewrite;    // cookies dropped, identity set (upstream_authority: the transport)
  bool approved = false;     // the access decision let it through (else: Dispatch's answer)
};

}  // namespace latchkey::http::proxy
