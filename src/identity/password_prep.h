// Passwords prepared per RFC 8265 section 4.2, the OpaqueString profile of the PRECIS
// FreeformClass, so that one password is one string however a keyboard, an input method or a
// browser encoded it ("é" as U+00E9 or as "e" + U+0301; a no-break space for a space).
// Every path that sets or checks a password prepares it first: what is hashed, counted and
// compared with the common-password list is the prepared form (docs/SECURITY.md "Unicode
// passwords").
//
// The profile's rules, in the order of RFC 8264 section 7:
//   width mapping: none; additional mapping: every non-ASCII space (General_Category Zs) to
//   U+0020; case mapping: none; normalization: NFC; directionality: none. No trimming, no case
//   or compatibility folding: "ﬁ" (U+FB01) stays distinct from "fi", "A" from "a".
// Then the result must be in the FreeformClass (RFC 8264 sections 4.3 and 8; the Exceptions
// of RFC 5892 section 2.6 by reference) and not empty. Refused: controls (Cc: TAB, NUL, CR,
// LF, DEL, C1), default-ignorable code points (soft hyphen, zero-width space, variation
// selectors, bidi marks), noncharacters, unassigned code points, private use, format
// characters, line and paragraph separators, Old Hangul Jamo, the six Exceptions listed
// DISALLOWED, and code points whose contextual rule (RFC 5892 Appendix A) fails.
// Refusing unassigned code points keeps a prepared password stable when a later Unicode
// version assigns them (NFC is stable only for assigned characters; RFC 8264, "Unicode
// Versions").
//
// Data: utf8proc (Debian's libutf8proc, Unicode 15.0 in 2.8.0): the general category, the
// Default_Ignorable_Code_Point flag, the grapheme class (Hangul L, V, T jamo), the combining
// class and NFC. utf8proc carries neither Script nor Joining_Type, so of the contextual rules:
//   ZWJ U+200D: allowed after a virama (the whole rule);
//   ZWNJ U+200C: allowed after a virama; its other branch (Arabic-script joining context)
//     needs Joining_Type, so ZWNJ elsewhere is refused: stricter than the RFC;
//   U+00B7 (between two "l") and the two sets of Arabic-Indic digits (not mixed): checked;
//   U+0375, U+05F3, U+05F4, U+30FB (rules on the Script of a neighbour): not checked, so
//     allowed: laxer than the RFC. Those rules keep look-alike domain labels apart (RFC 5892
//     Appendix A); they do not change the prepared form, so matching stays exact.
//
// Errors: kInvalidInput with `field` (invalid UTF-8, a refused code point, empty). The
// messages never quote the password.
// Thread-safety: pure functions (utf8proc's tables are constant).
#pragma once

#include <string_view>

#include "base/errc.h"
#include "base/secret.h"

namespace latchkey::identity {

// The prepared form of `typed` (its own buffer, wiped when it goes; every intermediate buffer
// is wiped before it is freed).
Result<Secret> PreparePassword(std::string_view typed, std::string_view field = "password");

// The Unicode version of the preparation's data (utf8proc), e.g. "15.0.0".
std::string_view PasswordUnicodeVersion();

}  // namespace latchkey::identity
