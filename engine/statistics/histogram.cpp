#include "engine/statistics/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace lb {

// Values below 2*kSub map to themselves. Above, a value with its highest bit
// at position b (b >= kSubBits + 1) lands in group (b - kSubBits), whose
// kSub buckets split [2^b, 2^(b+1)) evenly.
int Histogram::bucket_of(std::uint64_t value) {
  if (value < 2 * kSub) return static_cast<int>(value);
  const int b = 63 - std::countl_zero(value);
  const int shift = b - kSubBits;
  const int sub = static_cast<int>((value >> shift) & (kSub - 1));
  return (shift + 1) * kSub + sub;
}

std::uint64_t Histogram::upper_bound_of(int bucket) {
  if (bucket < 2 * kSub) return static_cast<std::uint64_t>(bucket);
  const int shift = bucket / kSub - 1;
  const auto sub = static_cast<std::uint64_t>(bucket % kSub);
  const std::uint64_t base = (std::uint64_t{kSub} + sub) << shift;
  return base + ((std::uint64_t{1} << shift) - 1);
}

void Histogram::record(std::uint64_t value) {
  ++counts_[static_cast<std::size_t>(bucket_of(value))];
  ++count_;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void Histogram::merge(const Histogram& other) {
  for (std::size_t i = 0; i < counts_.size(); ++i)
    counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

std::uint64_t Histogram::percentile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(upper_bound_of(static_cast<int>(i)), max_);
  }
  return max_;
}

}  // namespace lb
