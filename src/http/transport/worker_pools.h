// The executors work runs on beside the I/O threads (http/service.h's Pool): the store pool
// for blocking database work and the hashing pool for password hashing, and the hop there and
// back. Run() posts the work to its pool and resumes the connection on its own I/O thread
// with the answer; kInline runs it on the calling I/O thread.
// Password hashing is slow on purpose and CPU-bound; session checks must not wait behind it:
// hashing threads lower their own priority to nice 19 on their first job.
// Pool load (queued jobs, busy threads) is counted into metrics::Registry when given.
// An exception escaping the service or its work is a bug: logged, 500, and the server goes on.
// Thread-safety: Run() from any I/O thread (it resumes on the caller's); Stop() and Join()
// from any one thread at a time; the pools' threads run until Stop() or destruction.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <cstddef>
#include <optional>

#include "http/request.h"
#include "http/service.h"
#include "http/transport/executor.h"

namespace latchkey::metrics {
class Registry;
}

namespace latchkey::http::transport {

class WorkerPools {
 public:
  // `metrics` may be null (pool load not counted).
  WorkerPools(std::size_t store_threads, std::size_t hashing_threads, metrics::Registry* metrics);
  ~WorkerPools();  // joins
  WorkerPools(const WorkerPools&) = delete;
  WorkerPools& operator=(const WorkerPools&) = delete;

  // What `work` (for `request`) answers, computed on `pool`; the caller resumes on its own
  // executor. `work` and `request` must outlive the co_await.
  Task<Response> Run(const Work& work, Pool pool, const Request& request);

  // Drops the work still queued (handlers already running finish).
  void Stop();

  // Waits for the pools' threads to end (after Stop(), or once the queues are empty).
  void Join();

 private:
  asio::thread_pool store_;
  asio::thread_pool hashing_;
  metrics::Registry* metrics_;
};

// work(); an escaping exception is logged (with the request's path) and answered 500.
Response CallWork(const Work& work, const Request& request);

// service.Begin(request), on the I/O thread; an escaping exception as in CallWork (the 500 is
// the dispatch's response).
Dispatch CallBegin(Service& service, Request& request);

}  // namespace latchkey::http::transport
