#include "http/transport/answer.h"

#include <boost/beast/http/write.hpp>
#include <cstddef>
#include <cstdint>
#include <tuple>

#include "http/transport/message.h"

namespace latchkey::http::transport {

namespace {

std::uint64_t Since(std::chrono::steady_clock::time_point started) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now() - started)
                                        .count());
}

template <class Stream>
Task<bool> Write(Stream& stream, const Context& context, Listener listener, const Request& request,
                 Response& response, Framing framing) {
  StaticHeaders common;
  if (listener != Listener::kMetrics) common = Router::CommonHeaders(request, response);
  int status = response.status;
  BeastResponse out;
  ToBeast(std::move(response), common, framing.version, framing.keep_alive, framing.head, out);
  if (IsMain(listener)) out.set(kRequestIdHeader, request.request_id);
  std::size_t bytes = out.body().size();
  beast::get_lowest_layer(stream).expires_after(context.options.write_timeout);
  auto written = co_await bhttp::async_write(stream, out, kTuple);
  if (IsMain(listener)) {
    RecordRequest(context.options.metrics, context.router, request, framing.route, status,
                  Since(framing.started), bytes);
  }
  co_return !std::get<0>(written);
}

}  // namespace

Task<bool> WriteAnswer(TcpStream& stream, const Context& context, Listener listener,
                       const Request& request, Response& response, Framing framing) {
  return Write(stream, context, listener, request, response, framing);
}

Task<bool> WriteAnswer(TlsStream& stream, const Context& context, Listener listener,
                       const Request& request, Response& response, Framing framing) {
  return Write(stream, context, listener, request, response, framing);
}

}  // namespace latchkey::http::transport
