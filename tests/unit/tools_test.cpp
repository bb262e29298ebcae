// Socket-free pieces of tools/: sizes, the tcp wire format, result maths.
#include <doctest/doctest.h>

#include "tools/measure/pacing.hpp"
#include "tools/options/size.hpp"
#include "tools/report/results.hpp"
#include "tools/tcp/protocol.hpp"

namespace lb {

TEST_CASE("sizes parse as users type them") {
  CHECK(parse_size("4GiB") == 4ull << 30);
  CHECK(parse_size("512MiB") == 512ull << 20);
  CHECK(parse_size("64KiB") == 64ull << 10);
  CHECK(parse_size("64k") == 64ull << 10);
  CHECK(parse_size("1G") == 1ull << 30);
  CHECK(parse_size("1GB") == 1'000'000'000ull);
  CHECK(parse_size("1000") == 1000);
  CHECK(parse_size("7B") == 7);
  CHECK(parse_size("0") == 0);
  CHECK_FALSE(parse_size("4XB"));
  CHECK_FALSE(parse_size(""));
  CHECK_FALSE(parse_size("GiB"));
  CHECK_FALSE(parse_size("-1"));
  CHECK_FALSE(parse_size("1.5GiB"));
  CHECK_FALSE(parse_size("99999999999TiB"));  // overflow
  CHECK(size_error("--total", "4XB").find("malformed size '4XB'") != std::string::npos);
}

TEST_CASE("bytes print in binary units") {
  CHECK(format_bytes(100) == "100 B");
  CHECK(format_bytes(4ull << 30) == "4 GiB");
  CHECK(format_bytes(1536) == "1.5 KiB");
}

TEST_CASE("tcp header round trip and rejection") {
  const auto bytes = tcp_bench::encode({65536, 1ull << 32, 12345});
  const auto h = tcp_bench::decode(bytes);
  REQUIRE(h);
  CHECK(h->chunk == 65536);
  CHECK(h->download == 1ull << 32);
  CHECK(h->upload == 12345);
  auto bad = bytes;
  bad[0] = std::byte{'X'};
  CHECK_FALSE(tcp_bench::decode(bad));
  CHECK_FALSE(tcp_bench::decode(tcp_bench::encode({0, 1, 1})));
  CHECK_FALSE(tcp_bench::decode(tcp_bench::encode({kMaxChunkBytes + 1, 1, 1})));
}

TEST_CASE("run summaries are min/median/max over repeats; absent fields are omitted") {
  RunResult run;
  run.bench = "tcp";
  run.repeats = {{2.0, 1ull << 30, 0, 0.1, 0.1},
                 {1.0, 1ull << 30, 0, 0.2, 0.2},
                 {4.0, 1ull << 30, 0, 0.3, 0.3}};
  const auto bps = run.bytes_per_s();
  CHECK(bps.median == doctest::Approx(static_cast<double>(1ull << 30) / 2.0));
  CHECK(bps.max == doctest::Approx(static_cast<double>(1ull << 30)));
  CHECK(run.cpu_s_per_gib().median == doctest::Approx(0.4));
  CHECK_FALSE(run.req_per_s());
  const auto j = run_to_json(run);
  CHECK_FALSE(j.at("summary").contains("req_per_s"));
  CHECK_FALSE(j.at("summary").contains("latency_us"));
  CHECK_FALSE(j.at("summary").contains("verified"));
  CHECK(j.at("summary").at("duration_s").at("median") == 2.0);
}

TEST_CASE("open-loop schedules: even gaps, staggered senders, Poisson with the asked mean") {
  const auto t0 = Clock::now();
  Pacing uniform;
  uniform.rate = 1000;  // over 4 senders: each sends every 4 ms
  SendSchedule first(uniform, 0, 4, t0), third(uniform, 2, 4, t0);
  CHECK(first.take() == t0);
  CHECK(first.take() == t0 + std::chrono::milliseconds(4));
  CHECK(third.take() == t0 + std::chrono::milliseconds(2));

  Pacing poisson;
  poisson.rate = 1000;
  poisson.arrival = "poisson";
  SendSchedule p(poisson, 0, 1, t0);
  constexpr int kDraws = 100'000;
  Clock::time_point last = p.take();
  for (int i = 0; i < kDraws; ++i)
    last = p.take();
  const double mean_ms = std::chrono::duration<double, std::milli>(last - t0).count() / kDraws;
  CHECK(mean_ms == doctest::Approx(1.0).epsilon(0.02));
  // Each sender its own draws.
  SendSchedule a(poisson, 0, 1, t0), b(poisson, 1, 1, t0);
  a.take();
  b.take();
  CHECK(a.take() != b.take());

  // A stalled sender's slots in a window are all late.
  SlotCount count;
  SendSchedule stalled(uniform, 0, 1, t0);  // every 1 ms
  count.count_unsent(stalled, t0 + std::chrono::milliseconds(10),
                     t0 + std::chrono::milliseconds(19));
  CHECK(count.slots == 10);
  CHECK(count.late == 10);
  CHECK(stalled.due() == t0 + std::chrono::milliseconds(20));

  Pacing bad;
  bad.rate = -1;
  CHECK_THROWS(bad.check());
  bad.rate = kMaxRate * 2;
  CHECK_THROWS(bad.check());
  bad.rate = 1;
  bad.arrival = "bursty";
  CHECK_THROWS(bad.check());
}

TEST_CASE("open-loop schedules: uniform slots skipped are counted as if walked one by one") {
  const auto t0 = Clock::now();
  Pacing uniform;
  using std::chrono::nanoseconds;
  // Gaps that do and do not divide the spans; windows before, across and
  // after the schedule's next slot, empty and one slot long.
  for (const double rate : {1e3, 7e3, 333.0, kMaxRate})
    for (const std::int64_t start_ns : {0, 5, 999'999})
      for (const std::int64_t from_ns : {0, 1, 2'500'000, 3'000'000, 10'000'000})
        for (const std::int64_t span_ns : {0, 1, 999'999, 1'000'000, 7'654'321}) {
          CAPTURE(rate);
          CAPTURE(start_ns);
          CAPTURE(from_ns);
          CAPTURE(span_ns);
          uniform.rate = rate;
          const auto start = t0 + nanoseconds(start_ns);
          const auto from = t0 + nanoseconds(from_ns), until = from + nanoseconds(span_ns);
          SendSchedule counted(uniform, 0, 1, start), walked(uniform, 0, 1, start);
          std::uint64_t expected = 0;
          while (walked.due() <= until)
            if (walked.take() >= from) ++expected;
          CHECK(counted.skip_through(from, until) == expected);
          CHECK(counted.due() == walked.due());
        }
}

}  // namespace lb
