#include "mfa/qr_svg.h"

#include <qrencode.h>

#include <memory>
#include <string>

namespace latchkey::mfa {
namespace {

constexpr int kQuietZone = 4;  // modules, ISO/IEC 18004 section 6.3.8

struct QrDeleter {
  void operator()(QRcode* code) const { QRcode_free(code); }
};

// The text as XML character data.
std::string EscapeXml(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> QrSvg(std::string_view text, std::string_view title) {
  const std::string data(text);
  std::unique_ptr<QRcode, QrDeleter> code(
      QRcode_encodeData(static_cast<int>(data.size()),
                        reinterpret_cast<const unsigned char*>(data.data()), 0, QR_ECLEVEL_M));
  if (!code) return std::nullopt;
  const int width = code->width;
  const int size = width + 2 * kQuietZone;
  std::string path;
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width; ++x) {
      if (code->data[y * width + x] & 1) {  // bit 0: the module is dark
        path += 'M' + std::to_string(x + kQuietZone) + ',' + std::to_string(y + kQuietZone) +
                "h1v1h-1z";
      }
    }
  }
  const std::string n = std::to_string(size);
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + n + ' ' + n +
                    "\" role=\"img\" shape-rendering=\"crispEdges\"><title>" + EscapeXml(title) +
                    "</title><rect width=\"" + n + "\" height=\"" + n +
                    "\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path + "\"/></svg>";
  return svg;
}

}  // namespace latchkey::mfa
