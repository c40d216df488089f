// A QR code (ISO/IEC 18004) of a short text as an SVG image, for the otpauth:// URI of TOTP
// enrolment: encoded by libqrencode (error correction level M, the smallest version that
// fits, 8-bit mode), drawn here as one <path> of unit squares with the standard quiet zone of
// four modules. The SVG scales (viewBox in modules) and carries role="img" and a <title> for
// screen readers.
//   QrSvg("otpauth://totp/...", "Scan with your authenticator app") -> "<svg ...>...</svg>"
// Errors: nullopt when the text does not fit a QR code (over ~2,300 bytes at level M) or
// libqrencode runs out of memory.
// Thread-safety: safe from any thread (libqrencode is reentrant).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace latchkey::mfa {

std::optional<std::string> QrSvg(std::string_view text, std::string_view title);

}  // namespace latchkey::mfa
