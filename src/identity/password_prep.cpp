#include "identity/password_prep.h"

#include <sodium.h>
#include <utf8proc.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/utf8.h"

namespace latchkey::identity {
namespace {

using CodePoints = std::vector<utf8proc_int32_t>;

// Zeroes a buffer of password code points before it is freed (the prepared Secret is wiped
// by its own destructor; these are the steps on the way).
struct WipeOnExit {
  CodePoints& cps;
  ~WipeOnExit() { sodium_memzero(cps.data(), cps.capacity() * sizeof(utf8proc_int32_t)); }
};

constexpr std::string_view kDisallowedMessage =
    "Password must not contain control, invisible formatting, private-use or unassigned "
    "characters";

Error Invalid(std::string_view field, std::string_view message) {
  return MakeError(Errc::kInvalidInput, std::string(message), std::string(field));
}

const utf8proc_property_t& Property(utf8proc_int32_t cp) { return *utf8proc_get_property(cp); }

// Noncharacter_Code_Point (Unicode section 23.7): U+FDD0..U+FDEF and the last two code points
// of every plane. A closed set by the Unicode Stability Policy, not data that changes.
bool IsNoncharacter(utf8proc_int32_t cp) {
  return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

// RFC 5892 section 2.6, the Exceptions ("F", RFC 8264 section 9.6) whose value is DISALLOWED:
// ARABIC TATWEEL, NKO LAJANYALAN, the two Hangul tone marks and the vertical kana repeat marks.
bool IsDisallowedException(utf8proc_int32_t cp) {
  return cp == 0x0640 || cp == 0x07FA || cp == 0x302E || cp == 0x302F ||
         (cp >= 0x3031 && cp <= 0x3035) || cp == 0x303B;
}

bool IsArabicIndicDigit(utf8proc_int32_t cp) { return cp >= 0x0660 && cp <= 0x0669; }
bool IsExtendedArabicIndicDigit(utf8proc_int32_t cp) { return cp >= 0x06F0 && cp <= 0x06F9; }

// The Exceptions with a contextual rule (CONTEXTO) and the JoinControl class (CONTEXTJ).
bool NeedsContext(utf8proc_int32_t cp) {
  return cp == 0x200C || cp == 0x200D || cp == 0x00B7 || cp == 0x0375 || cp == 0x05F3 ||
         cp == 0x05F4 || cp == 0x30FB || IsArabicIndicDigit(cp) || IsExtendedArabicIndicDigit(cp);
}

// HasCompat ("Q", RFC 8264 section 9.17): toNFKC(cp) != cp.
bool HasCompat(utf8proc_int32_t cp) {
  utf8proc_int32_t buf[32];  // longest NFKD of one code point: 18 (U+FDFA)
  int boundclass = 0;
  utf8proc_ssize_t n = utf8proc_decompose_char(
      cp, buf, 32, static_cast<utf8proc_option_t>(UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE),
      &boundclass);
  if (n > 0 && n <= 32) {
    n = utf8proc_normalize_utf32(
        buf, n, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  }
  bool changed = !(n == 1 && buf[0] == cp);
  sodium_memzero(buf, sizeof buf);
  return changed;
}

// RFC 8264 section 8, the derived property of one code point for the FreeformClass, with the
// contextual code points left to AllowedInContext: true when PVALID or FREE_PVAL.
bool IsFreeformValid(utf8proc_int32_t cp) {
  if (IsDisallowedException(cp)) return false;  // step 1 (the PVALID Exceptions pass below)
  const utf8proc_property_t& p = Property(cp);
  // 3. Unassigned ("J"): General_Category Cn and not a noncharacter.
  if (p.category == UTF8PROC_CATEGORY_CN && !IsNoncharacter(cp)) return false;
  if (cp >= 0x21 && cp <= 0x7E) return true;  // 4. ASCII7 ("K")
  // 6. OldHangulJamo ("I"): Hangul_Syllable_Type L, V or T, which are exactly the grapheme
  // classes L, V and T (UAX #29).
  if (p.boundclass == UTF8PROC_BOUNDCLASS_L || p.boundclass == UTF8PROC_BOUNDCLASS_V ||
      p.boundclass == UTF8PROC_BOUNDCLASS_T) {
    return false;
  }
  // 7. PrecisIgnorableProperties ("M"): Default_Ignorable_Code_Point or a noncharacter.
  // (utf8proc sets `ignorable` on assigned code points only: the unassigned ones left out
  // were refused at step 3.)
  if (p.ignorable || IsNoncharacter(cp)) return false;
  if (p.category == UTF8PROC_CATEGORY_CC) return false;  // 8. Controls ("L")
  switch (p.category) {
    // 10. LetterDigits ("A"): Ll Lu Lo Nd Lm Mn Mc; 11. OtherLetterDigits ("R"): Lt Nl No Me;
    // 12. Spaces ("N"): Zs; 13. Symbols ("O"): Sm Sc Sk So; 14. Punctuation ("P").
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_SM:
    case UTF8PROC_CATEGORY_SC:
    case UTF8PROC_CATEGORY_SK:
    case UTF8PROC_CATEGORY_SO:
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
      return true;
    default:
      // 9. HasCompat ("Q") is FREE_PVAL before 10-14; it only matters for what 10-14 leave
      // out (Zl, Zp, Cf, Co, Cs). 15. Anything else is DISALLOWED.
      return HasCompat(cp);
  }
}

// The contextual rules of RFC 5892 Appendix A for cps[i] (see the header for the ones that
// need Script or Joining_Type, which utf8proc does not carry).
bool AllowedInContext(const CodePoints& cps, std::size_t i) {
  utf8proc_int32_t cp = cps[i];
  utf8proc_int32_t before = i > 0 ? cps[i - 1] : -1;
  utf8proc_int32_t after = i + 1 < cps.size() ? cps[i + 1] : -1;
  constexpr int kVirama = 9;           // Canonical_Combining_Class
  if (cp == 0x200C || cp == 0x200D) {  // A.1, A.2 (A.1's Joining_Type branch: not available)
    return before >= 0 && Property(before).combining_class == kVirama;
  }
  if (cp == 0x00B7) return before == 0x006C && after == 0x006C;  // A.3
  if (IsArabicIndicDigit(cp)) {                                  // A.8
    for (auto c : cps) {
      if (IsExtendedArabicIndicDigit(c)) return false;
    }
    return true;
  }
  if (IsExtendedArabicIndicDigit(cp)) {  // A.9
    for (auto c : cps) {
      if (IsArabicIndicDigit(c)) return false;
    }
    return true;
  }
  return true;  // A.4 (U+0375), A.5-A.6 (U+05F3, U+05F4), A.7 (U+30FB): Script not available
}

// The additional mapping rule of OpaqueString: non-ASCII spaces become U+0020.
utf8proc_int32_t MapSpace(utf8proc_int32_t cp, void*) {
  return Property(cp).category == UTF8PROC_CATEGORY_ZS ? 0x20 : cp;
}

}  // namespace

std::string_view PasswordUnicodeVersion() { return utf8proc_unicode_version(); }

Result<Secret> PreparePassword(std::string_view typed, std::string_view field) {
  // Our own strict decoder first (base/utf8.h: no overlong forms, no surrogates), so that
  // "valid UTF-8" means one thing everywhere.
  if (!CountCodePoints(typed)) return Invalid(field, "Password must be valid UTF-8 text");
  if (typed.empty()) return Invalid(field, "Password must not be empty");

  // Mapping, then NFC (canonical decomposition and ordering, then composition), in a buffer of
  // code points sized by a first pass.
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(typed.data());
  auto len = static_cast<utf8proc_ssize_t>(typed.size());
  auto options = static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE);
  utf8proc_ssize_t need =
      utf8proc_decompose_custom(bytes, len, nullptr, 0, options, MapSpace, nullptr);
  if (need < 0) return Invalid(field, "Password must be valid UTF-8 text");
  CodePoints cps(static_cast<std::size_t>(need));
  WipeOnExit wipe{cps};
  utf8proc_ssize_t got =
      utf8proc_decompose_custom(bytes, len, cps.data(), need, options, MapSpace, nullptr);
  if (got != need) return Invalid(field, "Password must be valid UTF-8 text");
  got = utf8proc_normalize_utf32(cps.data(), got, options);
  if (got < 0) return Invalid(field, "Password must be valid UTF-8 text");
  cps.resize(static_cast<std::size_t>(got));  // shrinks in place: capacity (and wipe) kept
  if (cps.empty()) return Invalid(field, "Password must not be empty");

  std::size_t out_size = 0;
  for (std::size_t i = 0; i < cps.size(); ++i) {
    bool valid = NeedsContext(cps[i]) ? AllowedInContext(cps, i) : IsFreeformValid(cps[i]);
    if (!valid) return Invalid(field, kDisallowedMessage);
    utf8proc_uint8_t scratch[4];
    out_size += static_cast<std::size_t>(utf8proc_encode_char(cps[i], scratch));
    sodium_memzero(scratch, sizeof scratch);
  }
  // Written in place at its final size: no reallocation leaves a copy behind. The string is
  // wiped after the move as Secret wipes itself: a short one keeps its characters inline.
  std::string out(out_size, '\0');
  auto* dst = reinterpret_cast<utf8proc_uint8_t*>(out.data());
  for (auto cp : cps) dst += utf8proc_encode_char(cp, dst);
  Secret prepared(std::move(out));
  out.resize(out.capacity());
  sodium_memzero(out.data(), out.size());
  return prepared;
}

}  // namespace latchkey::identity
