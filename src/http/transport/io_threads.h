// The I/O threads: io_threads io_contexts, each run by exactly one thread (executor.h says
// why). Accepted connections are dealt round robin, and a connection stays on its thread (no
// strands, no locks on its path). The first context also runs the accept loops and the signal
// wait, on the thread that calls Run().
// Thread-safety: Next() only from the accept loops (they all run on the first context); Run()
// from one thread; Stop() from any thread, once, while Run() runs.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <memory>
#include <vector>

#include "http/transport/executor.h"

namespace latchkey::http::transport {

class IoThreads {
 public:
  // At least one context, whatever `threads` says.
  explicit IoThreads(int threads);

  // The first context: acceptors, the signal wait and the accept loops live there.
  asio::io_context& first() { return *contexts_.front(); }

  // The I/O thread of the next accepted connection: round robin.
  Executor Next() { return contexts_[next_++ % contexts_.size()]->get_executor(); }

  // Runs every context until Stop(): the first on the calling thread, each other on a thread
  // of its own (idle contexts keep running); returns once all have returned.
  void Run();

  // Ends every context's run() (after the drain).
  void Stop();

 private:
  std::vector<std::unique_ptr<asio::io_context>> contexts_;        // one per I/O thread
  std::vector<asio::executor_work_guard<Executor>> keep_running_;  // idle contexts keep running
  std::size_t next_ = 0;  // touched only by the accept loops, on contexts_[0]
};

}  // namespace latchkey::http::transport
