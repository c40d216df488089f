// How the reverse proxy writes the two messages it builds (to the upstream, to the client):
// their fields in an arena of the exchange, and each write gathered into one buffer from
// Beast's own Fields writer and serializer (no hand-written HTTP). Used by forward.cpp only.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/serializer.hpp>
#include <memory_resource>
#include <optional>
#include <string>
#include <tuple>

#include "http/transport/message.h"
#include "http/transport/streams.h"

namespace latchkey::http::transport {

// What Gather reserves for one write: most header blocks and small bodies fit without growing.
constexpr std::size_t kWireReserve = 2048;

// The fields of the two messages the proxy builds (to the upstream, to the client) live in an
// arena of the exchange: about twenty fields a request, each a node Beast allocates, freed
// together when the exchange ends. kArena holds a typical pair of header blocks (the
// assertion alone is ~400 bytes); more spills to the heap.
using ArenaFields = bhttp::basic_fields<std::pmr::polymorphic_allocator<char>>;
using OutRequest = bhttp::request<bhttp::buffer_body, ArenaFields>;
using OutResponse = bhttp::response<bhttp::buffer_body, ArenaFields>;
constexpr std::size_t kArena = 4096;

template <class Message>
Message InArena(std::pmr::memory_resource* arena) {
  return Message(std::piecewise_construct, std::make_tuple(),
                 std::make_tuple(std::pmr::polymorphic_allocator<char>(arena)));
}

// What Beast's serializer `sr` has ready (the header block and the body bytes given so far),
// appended to `wire`. Returns a serializer error; need_buffer (the body waits for more) is not
// one.
template <class Serializer>
beast::error_code Gather(Serializer& sr, std::string& wire) {
  beast::error_code ec;
  while (!sr.is_done()) {
    sr.next(ec, [&](beast::error_code&, const auto& buffers) {
      std::size_t n = 0;
      for (asio::const_buffer b : beast::buffers_range_ref(buffers)) {
        wire.append(static_cast<const char*>(b.data()), b.size());
        n += b.size();
      }
      sr.consume(n);
    });
    if (ec == bhttp::error::need_buffer) return {};
    if (ec) return ec;
  }
  return ec;
}

// The header block of `h` as Beast serialises it: its Fields writer, constructed as Beast's
// serializer constructs it (http/impl/serializer.hpp), appended to `wire`.
template <bool isRequest>
void AppendHeader(const bhttp::header<isRequest, ArenaFields>& h, std::string& wire) {
  auto append = [&wire](const auto& buffers) {
    for (asio::const_buffer b : beast::buffers_range_ref(buffers)) {
      wire.append(static_cast<const char*>(b.data()), b.size());
    }
  };
  if constexpr (isRequest) {
    typename ArenaFields::writer w(h, h.version(), h.method());
    append(w.get());
  } else {
    typename ArenaFields::writer w(h, h.version(), h.result_int());
    append(w.get());
  }
}

// The writes of one message the proxy sends, each gathered into one buffer (one send of one
// buffer; asio walking Beast's buffer sequences cost ~16,000 instructions a proxied request):
// the header block by Beast's Fields writer, then the body: its bytes as they come when the
// message has a Content-Length or no framing (what Beast's serializer writes for those too),
// through Beast's serializer when it is chunked (the serializer frames the chunks). Walking
// the header through the serializer instead (its prefix and suffix views over the writer's
// buffers) cost ~7,000 more instructions a message (callgrind).
template <bool isRequest>
class WireWriter {
 public:
  using Message = bhttp::message<isRequest, bhttp::buffer_body, ArenaFields>;

  explicit WireWriter(Message& m) : m_(m) {
    if (m_.chunked()) sr_.emplace(m_);
  }

  // The next write into `wire`: the header block if not written yet, then `size` bytes of the
  // body at `data` (`last`: the body ends with them).
  beast::error_code Next(char* data, std::size_t size, bool last, std::string& wire) {
    Start(wire);
    if (sr_) {
      m_.body().data = size ? data : nullptr;
      m_.body().size = size;
      m_.body().more = !last;
      return Gather(*sr_, wire);
    }
    if (!header_written_) AppendHeader<isRequest>(m_, wire);
    header_written_ = true;
    wire.append(data, size);
    finished_ = last;
    return {};
  }

  // Only the header block (a message without a body; never chunked).
  void Header(std::string& wire) {
    Start(wire);
    AppendHeader<isRequest>(m_, wire);
    header_written_ = finished_ = true;
  }

  bool done() const { return sr_ ? sr_->is_done() : finished_; }

 private:
  static void Start(std::string& wire) {
    wire.clear();
    wire.reserve(kWireReserve);  // once per exchange: a header block and a small body fit
  }

  Message& m_;
  std::optional<bhttp::serializer<isRequest, bhttp::buffer_body, ArenaFields>> sr_;
  bool header_written_ = false;
  bool finished_ = false;
};

}  // namespace latchkey::http::transport
