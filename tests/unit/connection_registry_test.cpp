#include "http/connection_registry.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

namespace latchkey::http {
namespace {

using Admission = ConnectionRegistry::Admission;

// An entry that counts the registry's requests to close it.
struct Probe {
  std::shared_ptr<ConnectionRegistry::Entry> entry = std::make_shared<ConnectionRegistry::Entry>();
  std::shared_ptr<int> closes = std::make_shared<int>(0);
  Probe() {
    entry->close_if_idle = [c = closes] { ++*c; };
  }
};

TEST(ConnectionRegistry, AdmitsUpToTheCap) {
  ConnectionRegistry registry(3);
  std::vector<Probe> probes(3);
  for (auto& p : probes) EXPECT_EQ(registry.Admit(p.entry), Admission::kAdmitted);
  EXPECT_EQ(registry.size(), 3u);
  for (auto& p : probes) EXPECT_EQ(*p.closes, 0) << "nothing shed under the cap";
}

TEST(ConnectionRegistry, AtTheCapShedsTheLongestIdle) {
  ConnectionRegistry registry(3);
  Probe oldest, middle, newest;
  for (Probe* p : {&oldest, &middle, &newest}) {
    registry.Admit(p->entry);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  oldest.entry->MarkBusy();
  oldest.entry->MarkIdle();  // answered a request just now: idle since now, the newest
  Probe incoming;
  EXPECT_EQ(registry.Admit(incoming.entry), Admission::kShed);
  EXPECT_EQ(*middle.closes, 1) << "middle has waited longest for its next request";
  EXPECT_EQ(*oldest.closes + *newest.closes, 0);
  EXPECT_EQ(registry.shed_count(), 1u);
  EXPECT_EQ(registry.size(), 4u) << "the shed one is registered until it has closed";

  Probe another;
  EXPECT_EQ(registry.Admit(another.entry), Admission::kShed);
  EXPECT_EQ(*newest.closes, 1) << "a connection being shed is not chosen twice";
  EXPECT_EQ(*middle.closes, 1);
  registry.Remove(middle.entry);
  registry.Remove(newest.entry);
  EXPECT_EQ(registry.size(), 3u);
}

TEST(ConnectionRegistry, NeverShedsABusyConnectionRefusesWhenAllAreBusy) {
  ConnectionRegistry registry(2);
  Probe a, b;
  registry.Admit(a.entry);
  registry.Admit(b.entry);
  a.entry->MarkBusy();
  b.entry->MarkBusy();
  Probe incoming;
  EXPECT_EQ(registry.Admit(incoming.entry), Admission::kRefused);
  EXPECT_EQ(registry.size(), 2u) << "a refused connection is not registered";
  EXPECT_EQ(*a.closes + *b.closes, 0);
  EXPECT_EQ(registry.refused_count(), 1u);
  b.entry->MarkIdle();
  EXPECT_EQ(registry.Admit(incoming.entry), Admission::kShed);
  EXPECT_EQ(*b.closes, 1);
}

TEST(ConnectionRegistry, RemovingAShedConnectionFreesItsPlace) {
  ConnectionRegistry registry(1);
  Probe first, second, third;
  registry.Admit(first.entry);
  EXPECT_EQ(registry.Admit(second.entry), Admission::kShed);
  registry.Remove(first.entry);
  EXPECT_EQ(registry.size(), 1u);
  EXPECT_EQ(registry.Admit(third.entry), Admission::kShed) << "at the cap again: second is shed";
  EXPECT_EQ(*second.closes, 1);
}

TEST(ConnectionRegistry, CloseIdleAsksEveryConnectionAndWaitUntilEmptyWakes) {
  ConnectionRegistry registry(10);
  std::vector<Probe> probes(4);
  for (auto& p : probes) registry.Admit(p.entry);
  registry.CloseIdle();
  for (auto& p : probes) EXPECT_EQ(*p.closes, 1);
  EXPECT_FALSE(registry.WaitUntilEmpty(std::chrono::milliseconds(10)));
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    for (auto& p : probes) registry.Remove(p.entry);
  });
  EXPECT_TRUE(registry.WaitUntilEmpty(std::chrono::seconds(5)));
  closer.join();
  EXPECT_EQ(registry.size(), 0u);
}

TEST(ConnectionRegistry, ConcurrentAdmitsKeepAtMostTheCapNotBeingShed) {
  constexpr std::size_t kCap = 16;
  ConnectionRegistry registry(kCap);
  struct Held {
    Probe probe;
    bool removed = false;
  };
  std::vector<std::vector<Held>> held(4);
  std::vector<std::thread> threads;
  std::atomic<int> refused{0};
  for (auto& mine : held) {
    threads.emplace_back([&registry, &refused, &mine] {
      mine.resize(500);
      for (std::size_t i = 0; i < mine.size(); ++i) {
        if (registry.Admit(mine[i].probe.entry) == Admission::kRefused) ++refused;
        if (i % 3 == 0) {  // some close at once, the others stay open
          registry.Remove(mine[i].probe.entry);
          mine[i].removed = true;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(refused.load(), 0) << "nothing is busy, so there is always one to shed";
  std::size_t registered = 0;
  std::size_t serving = 0;
  for (const auto& mine : held) {
    for (const auto& h : mine) {
      if (h.removed) continue;
      ++registered;
      if (h.probe.entry->shedding.load()) {
        EXPECT_EQ(*h.probe.closes, 1) << "asked to close exactly once";
      } else {
        ++serving;
      }
    }
  }
  EXPECT_EQ(registry.size(), registered);
  EXPECT_EQ(serving, kCap) << "every admit past the cap shed exactly one other connection";
}

}  // namespace
}  // namespace latchkey::http
