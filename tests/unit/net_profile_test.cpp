// --net's profiles as users type them: names, key=value lists, and every
// way one can be wrong.
#include <doctest/doctest.h>

#include "tools/net/profile.hpp"
#include "tools/options/usage_error.hpp"

namespace lb::net {

TEST_CASE("--net profiles by name are the issue's lan, wan and mobile") {
  const auto lan = parse_profile("lan");
  CHECK(lan.rtt_ms == 0.2);
  CHECK(lan.rate_bps == 10'000'000'000ULL);
  CHECK(lan.loss == 0);
  const auto wan = parse_profile("wan");
  CHECK(wan.rtt_ms == 20);
  CHECK(wan.rate_bps == 1'000'000'000ULL);
  CHECK(wan.loss == doctest::Approx(0.0001));
  const auto mobile = parse_profile("mobile");
  CHECK(mobile.rtt_ms == 60);
  CHECK(mobile.jitter_ms == 10);
  CHECK(mobile.rate_bps == 50'000'000ULL);
  CHECK(mobile.loss == doctest::Approx(0.005));
  CHECK(mobile.describe() == "mobile: rtt 60 ms +-10 ms, 50 Mbit/s, loss 0.5 %");
}

TEST_CASE("--net key=value lists take units, in any order") {
  auto p = parse_profile("rtt=20ms,rate=1gbit,loss=0.1%,jitter=2ms");
  CHECK(p.name == "custom");
  CHECK(p.rtt_ms == 20);
  CHECK(p.rate_bps == 1'000'000'000ULL);
  CHECK(p.loss == doctest::Approx(0.001));
  CHECK(p.jitter_ms == 2);
  p = parse_profile("rate=500kbit,rtt=1500us,loss=0.02");
  CHECK(p.rate_bps == 500'000ULL);
  CHECK(p.rtt_ms == doctest::Approx(1.5));
  CHECK(p.loss == doctest::Approx(0.02));
  p = parse_profile("rtt=0.5s,rate=200mbit");
  CHECK(p.rtt_ms == 500);
  CHECK(p.json().at("rate_bps") == 200'000'000ULL);
}

TEST_CASE("a wrong --net says what is wrong") {
  const auto message = [](const std::string& text) {
    try {
      parse_profile(text);
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(message("fast").find("unknown profile") != std::string::npos);
  CHECK(message("rtt=20ms").find("rtt and rate are required") != std::string::npos);
  CHECK(message("rate=1gbit").find("rtt and rate are required") != std::string::npos);
  CHECK(message("rtt=20,rate=1gbit").find("rtt has unit ''") != std::string::npos);
  CHECK(message("rtt=20ms,rate=1gb").find("rate has unit 'gb'") != std::string::npos);
  CHECK(message("rtt=-1ms,rate=1gbit").find("rtt needs a number") != std::string::npos);
  CHECK(message("rtt=20ms,rate=1gbit,loss=100%").find("below 100%") != std::string::npos);
  CHECK(message("rtt=20ms,rate=1gbit,jitter=30ms").find("must not exceed rtt") !=
        std::string::npos);
  CHECK(message("rtt=20ms,rate=10bit").find("between 100kbit") != std::string::npos);
  CHECK(message("rtt=20ms,rate=1gbit,color=red").find("unknown key 'color'") != std::string::npos);
  CHECK(message("rtt=20ms,rate=1gbit,oops").find("'oops' is not key=value") != std::string::npos);
  CHECK(message("rtt=20ms,rate=1gbit,loss=nan").find("loss needs a number") != std::string::npos);
}

}  // namespace lb::net
