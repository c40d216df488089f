#include "http/transport/worker_pools.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <exception>
#include <string_view>

#include "http/error_mapping.h"
#include "metrics/registry.h"

namespace latchkey::http::transport {

namespace {

// Hashing threads run at the lowest CPU priority (nice 19), so the kernel preempts them the
// moment an I/O or store thread has work; alone on the machine they still get every cycle.
void LowerHashingThreadPriority() {
  thread_local bool lowered = false;
  if (lowered) return;
  lowered = true;
  if (::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 19) != 0) {
    spdlog::warn("cannot lower the hashing thread's priority");
  }
}

// call(request), where an escaping exception is a bug: logged with `what` and the path, and
// answered 500 (the server goes on).
template <class Call>
auto Guarded(std::string_view what, const Call& call, const Request& request)
    -> decltype(call(request)) {
  try {
    return call(request);
  } catch (const std::exception& e) {
    spdlog::error("{} for {} threw: {}", what, request.path, e.what());
  } catch (...) {
    spdlog::error("{} for {} threw an unknown exception", what, request.path);
  }
  return ErrorResponse(MakeError(Errc::kInternal));
}

}  // namespace

Response CallWork(const Work& work, const Request& request) {
  return Guarded(
      "request work", [&work](const Request&) { return work(); }, request);
}

Dispatch CallBegin(Service& service, Request& request) {
  std::optional<Dispatch> dispatch;
  Response failed = Guarded(
      "request pipeline",
      [&service, &request, &dispatch](const Request&) {
        dispatch = service.Begin(request);
        return Response{};
      },
      request);
  if (dispatch) return std::move(*dispatch);
  Dispatch answer;  // Begin threw: the 500 is the answer
  answer.response = std::move(failed);
  return answer;
}

WorkerPools::WorkerPools(std::size_t store_threads, std::size_t hashing_threads,
                         metrics::Registry* metrics)
    : store_(store_threads), hashing_(hashing_threads), metrics_(metrics) {}

WorkerPools::~WorkerPools() { Join(); }

void WorkerPools::Stop() {
  store_.stop();
  hashing_.stop();
}

void WorkerPools::Join() {
  store_.join();
  hashing_.join();
}

// Not co_spawn onto the pool: a coroutine that never suspends there posts its completion to
// the back of the pool's queue first, so an answer waited behind every hash queued after it
// (60 concurrent logins were all answered at once, after the last hash).
Task<Response> WorkerPools::Run(const Work& work, Pool pool, const Request& request) {
  if (pool == Pool::kInline) co_return CallWork(work, request);
  auto& target = pool == Pool::kHashing ? hashing_ : store_;
  metrics::PoolLoad* load = nullptr;  // queue depth and busy threads, for /metrics
  if (metrics_) {
    load = pool == Pool::kHashing ? &metrics_->hashing_pool() : &metrics_->store_pool();
    load->queued.fetch_add(1, std::memory_order_relaxed);
  }
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<Executor>&, void(Response)>(
      [&target, &work, &request, pool, load](auto resume) {
        // Keeps the connection's io_context running until the answer is back on it.
        asio::executor_work_guard<Executor> io(asio::get_associated_executor(resume));
        asio::post(target, [&work, &request, pool, load, resume = std::move(resume),
                            io = std::move(io)]() mutable {
          if (pool == Pool::kHashing) LowerHashingThreadPriority();
          if (load) {
            load->queued.fetch_sub(1, std::memory_order_relaxed);
            load->busy.fetch_add(1, std::memory_order_relaxed);
          }
          Response response = CallWork(work, request);
          if (load) load->busy.fetch_sub(1, std::memory_order_relaxed);
          Executor executor = io.get_executor();
          asio::post(executor,
                     [resume = std::move(resume), response = std::move(response),
                      io = std::move(io)]() mutable { std::move(resume)(std::move(response)); });
        });
      },
      asio::use_awaitable_t<Executor>{});
}

}  // namespace latchkey::http::transport
