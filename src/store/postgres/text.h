// PostgreSQL TEXT holds valid UTF-8 without NUL bytes (the database encoding); SQLite stores
// any bytes. Values a client sends unchecked (User-Agent, which HTTP allows to carry
// obs-text bytes) are made storable here rather than failing the write: a login must not fail,
// nor its audit event go missing, because of a crafted header.
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace latchkey::store::postgres {

// `text` with each byte that is not part of valid UTF-8, and each NUL, replaced by U+FFFD.
// Valid text comes back unchanged.
std::string StorableText(std::string_view text);

}  // namespace latchkey::store::postgres
