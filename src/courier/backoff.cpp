#include "courier/backoff.h"

#include <algorithm>
#include <cmath>

namespace latchkey::courier {

Seconds BackoffDelay(const BackoffPolicy& policy, int attempts, double unit) {
  int doublings = std::clamp(attempts - 1, 0, 30);
  double window = std::min(static_cast<double>(policy.base.count()) * std::ldexp(1.0, doublings),
                           static_cast<double>(policy.cap.count()));
  double delay = window / 2 + std::clamp(unit, 0.0, 1.0) * window / 2;
  return Seconds(std::max<long long>(1, static_cast<long long>(delay)));
}

}  // namespace latchkey::courier
