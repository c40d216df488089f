#include "app/admin_io.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string_view>

namespace latchkey::app {
namespace {

// Reads one line from fd without echo (the terminal's state restored after). nullopt at EOF.
std::optional<std::string> ReadLineNoEcho(int fd, const char* prompt) {
  (void)!::write(fd, prompt, std::string_view(prompt).size());
  termios saved{};
  bool restore = ::tcgetattr(fd, &saved) == 0;
  if (restore) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  std::string line;
  bool got_newline = false;
  char c;
  while (::read(fd, &c, 1) == 1) {
    if (c == '\n') {
      got_newline = true;
      break;
    }
    line += c;
  }
  if (restore) ::tcsetattr(fd, TCSAFLUSH, &saved);
  if (!got_newline && line.empty()) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// A cell as a terminal may show it: control characters (C0, DEL and UTF-8 C1, which a
// stored user agent might hold) become '?', so no cell can move the cursor or recolour.
std::string Printable(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xA0) {
      out += '?';
      ++i;
    } else if (c < 0x20 || c == 0x7F) {
      out += '?';
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::size_t DisplayWidth(const std::string& s) {
  // Code points: close enough for names in a terminal table (no East Asian widths).
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

}  // namespace

bool StdinIsTerminal() { return ::isatty(STDIN_FILENO) == 1; }

Result<std::string> ReadNewPassword(bool from_stdin) {
  if (from_stdin) {
    std::string line;
    if (!std::getline(std::cin, line) && line.empty()) {
      return MakeError(Errc::kInvalidInput, "no password on stdin", "password");
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  if (!StdinIsTerminal()) {
    return MakeError(Errc::kInvalidInput,
                     "stdin is not a terminal: give the password with --password-stdin",
                     "password");
  }
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) fd = STDIN_FILENO;
  auto first = ReadLineNoEcho(fd, "New password: ");
  auto second = first ? ReadLineNoEcho(fd, "Repeat it: ") : std::nullopt;
  if (fd != STDIN_FILENO) ::close(fd);
  if (!first || !second) return MakeError(Errc::kInvalidInput, "no password given", "password");
  if (*first != *second) {
    return MakeError(Errc::kInvalidInput, "the two passwords differ", "password");
  }
  return *first;
}

bool Confirm(const std::string& question) {
  if (!StdinIsTerminal()) return false;
  std::fprintf(stderr, "%s [y/N] ", question.c_str());
  std::fflush(stderr);
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes" || answer == "YES";
}

void PrintTable(const std::vector<std::string>& headers,
                const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::vector<std::string>> cells;
  for (const auto& row : rows) {
    std::vector<std::string> clean;
    for (const auto& cell : row) clean.push_back(Printable(cell));
    cells.push_back(std::move(clean));
  }
  std::vector<std::size_t> widths;
  for (const auto& h : headers) widths.push_back(DisplayWidth(h));
  for (const auto& row : cells) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  }
  auto print_row = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      line += cells[i];
      if (i + 1 < cells.size()) line.append(widths[i] - DisplayWidth(cells[i]) + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  };
  print_row(headers);
  for (const auto& row : cells) print_row(row);
}

int Fail(std::string_view message) {
  std::fprintf(stderr, "latchkey: %.*s\n", static_cast<int>(message.size()), message.data());
  return 1;
}

}  // namespace latchkey::app
