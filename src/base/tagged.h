// A value whose meaning the compiler knows. Tagged<std::string, SessionIdTag> and
// Tagged<std::string, TokenHashTag> hold the same bytes but are different types: passing a
// session's token hash where its public id is expected, or a user id where a count is, does
// not compile (C++ Core Guidelines I.4: "Make interfaces precisely and strongly typed").
// Construction is explicit; the value is read with value(). Equality, ordering and std::hash
// are those of T. Thread-safety: like T.
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <utility>

namespace latchkey {

template <class T, class Tag>
class Tagged {
 public:
  using value_type = T;

  constexpr Tagged() = default;
  constexpr explicit Tagged(T value) : value_(std::move(value)) {}

  constexpr const T& value() const& { return value_; }
  constexpr T&& value() && { return std::move(value_); }

  friend constexpr bool operator==(const Tagged&, const Tagged&) = default;
  friend constexpr auto operator<=>(const Tagged&, const Tagged&) = default;

 private:
  T value_{};
};

}  // namespace latchkey

template <class T, class Tag>
struct std::hash<latchkey::Tagged<T, Tag>> {
  std::size_t operator()(const latchkey::Tagged<T, Tag>& t) const noexcept {
    return std::hash<T>{}(t.value());
  }
};
