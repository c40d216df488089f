#include "courier/file_transport.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "test_support.h"

namespace latchkey::courier {
namespace {

std::vector<std::string> Names(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(FileTransport, OneOwnerOnlyEmlPerMessage_NamesSortByTime) {
  testing::TempDir dir;
  FakeClock clock(FromUnixSeconds(1'700'000'000));
  auto mail_dir = dir.path() / "mail";
  FileTransport transport(mail_dir, clock);
  struct stat st {};
  ASSERT_EQ(::stat(mail_dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700);
  EXPECT_FALSE(transport.Send({"a@x", "b@y", 7}, "Subject: one\r\n\r\nbody\r\n"));
  clock.Advance(Milliseconds(5));
  EXPECT_FALSE(transport.Send({"a@x", "b@y", 12}, "Subject: two\r\n\r\n"));
  auto names = Names(mail_dir);
  ASSERT_EQ(names, (std::vector<std::string>{"1700000000000-7.eml", "1700000000005-12.eml"}));
  ASSERT_EQ(::stat((mail_dir / names[0]).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600) << "a message may carry a link with a token";
  std::ifstream in(mail_dir / names[0], std::ios::binary);
  std::stringstream body;
  body << in.rdbuf();
  EXPECT_EQ(body.str(), "Subject: one\r\n\r\nbody\r\n");
  EXPECT_EQ(transport.Describe(), "file:" + mail_dir.string());
}

TEST(FileTransport, DirectoryGone_IsATemporaryFailure) {
  testing::TempDir dir;
  FakeClock clock;
  auto mail_dir = dir.path() / "mail";
  FileTransport transport(mail_dir, clock);
  std::filesystem::remove_all(mail_dir);  // (a chmod would not stop root, who runs CI)
  auto failure = transport.Send({"a@x", "b@y", 1}, "x");
  ASSERT_TRUE(failure);
  EXPECT_FALSE(failure->permanent) << "retried: the operator may fix the directory";
  EXPECT_NE(failure->error.find(mail_dir.string()), std::string::npos) << failure->error;
  std::filesystem::create_directories(mail_dir);
  EXPECT_FALSE(transport.Send({"a@x", "b@y", 1}, "x")) << "and it works once it is back";
}

TEST(FileTransport, DirectoryThatCannotBeMade_IsAStartupFailure) {
  testing::TempDir dir;
  FakeClock clock;
  std::ofstream(dir.path() / "file") << "x";
  EXPECT_THROW(FileTransport(dir.path() / "file" / "mail", clock), std::runtime_error);
}

}  // namespace
}  // namespace latchkey::courier
