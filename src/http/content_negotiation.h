// The two request headers that decide a static response besides its path:
//   - Accept-Encoding (RFC 9110 12.5.3): which of the codings a file was precompressed in the
//     client takes, weighed by its q-values (RFC 9110 12.4.2);
//   - If-None-Match (RFC 9110 13.1.2): whether the client's cached copy is still current, by
//     weak comparison of entity tags (RFC 9110 8.8.3.2).
// Pure functions over header values as sent (several header lines joined by ", "); no state,
// safe from any thread. Malformed input never throws: it only makes a coding unacceptable or
// a tag not match, so the answer falls back to the full, uncoded response.
#pragma once

#include <string_view>

namespace latchkey::http {

// Content codings a static file can be stored in (RFC 9110 8.4.1). kIdentity: none.
enum class Coding { kIdentity, kGzip, kBrotli };

// "br", "gzip" or "" (identity): the Content-Encoding value of a coding.
std::string_view CodingName(Coding coding);

// The coding to answer in, among identity and those the file has (has_br, has_gzip): the
// one with the highest q-value in `accept_encoding`, br before gzip before identity on a tie;
// identity, when the header does not name it (nor "*"), ranks below every named coding.
// Codings are matched case-insensitively, "x-gzip" is gzip (RFC 9110 8.4.1.3), an unlisted
// coding takes the weight of "*" when listed, q=0 means "not acceptable", and a q that is not
// a valid qvalue counts as 0. An absent or empty header gives identity (curl, old proxies),
// and so does a header that accepts none of the file's codings (identity is always offered,
// even when refused: RFC 9110 12.5.3 lets the server ignore the refusal rather than 406).
Coding ChooseCoding(std::string_view accept_encoding, bool has_br, bool has_gzip);

// True when the If-None-Match value `if_none_match` names `etag` (a quoted entity tag such as
// "\"3f9c\"", optionally W/-prefixed), or is "*". Weak comparison: "W/" is ignored on both
// sides. A malformed list matches nothing from the first malformed member on.
bool IfNoneMatchMatches(std::string_view if_none_match, std::string_view etag);

}  // namespace latchkey::http
