#include "http/transport/io_threads.h"

#include <algorithm>
#include <thread>

namespace latchkey::http::transport {

IoThreads::IoThreads(int threads) {
  for (int i = 0; i < std::max(1, threads); ++i) {
    contexts_.push_back(std::make_unique<asio::io_context>(1));
  }
}

void IoThreads::Run() {
  for (auto& context : contexts_) keep_running_.emplace_back(context->get_executor());
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < contexts_.size(); ++i) {
    threads.emplace_back([this, i] { contexts_[i]->run(); });
  }
  contexts_.front()->run();
  for (auto& t : threads) t.join();
}

void IoThreads::Stop() {
  for (auto& work : keep_running_) work.reset();
  for (auto& context : contexts_) context->stop();
}

}  // namespace latchkey::http::transport
