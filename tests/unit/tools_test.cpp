// Socket-free pieces of tools/: sizes, the tcp wire format, result maths.
#include <doctest/doctest.h>

#include "tools/common/size.hpp"
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
  CHECK_FALSE(tcp_bench::decode(tcp_bench::encode({tcp_bench::kMaxChunk + 1, 1, 1})));
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

}  // namespace lb
