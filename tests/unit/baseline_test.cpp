// The baseline verdict rule on synthetic results: a clear slowdown with a
// tight spread is a regression, overlapping noisy runs are unchanged, rows
// on one side only are reported, http compares requests per second.
#include <doctest/doctest.h>

#include "tools/report/baseline.hpp"

namespace lb {
namespace {

// A run of five repeats spread from min to max around the median (per
// second: each repeat takes one second).
nlohmann::json run(const std::string& bench, const std::string& loop, double min, double median,
                   double max) {
  const bool requests = bench == "http";
  nlohmann::json repeats = nlohmann::json::array();
  for (double v : {min, (min + median) / 2, median, (median + max) / 2, max})
    repeats.push_back({{"duration_s", 1.0},
                       {"bytes", requests ? 1.0 : v},
                       {"requests", requests ? v : 0.0},
                       {"cpu_user_s", 0.01},
                       {"cpu_sys_s", 0.01}});
  return {{"bench", bench},
          {"mode", requests ? "async" : "download"},
          {"loop", loop},
          {"size_bytes", 1024},
          {"tls", false},
          {"repeats", repeats},
          {"summary", nlohmann::json::object()}};
}

nlohmann::json doc(std::initializer_list<nlohmann::json> runs) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : runs)
    list.push_back(r);
  return {{"schema", "loopbench.results/1"}, {"runs", list}};
}

Verdict only_verdict(const nlohmann::json& old_doc, const nlohmann::json& new_doc) {
  const auto rows = compare_results(old_doc, new_doc, 5);
  REQUIRE(rows.size() == 1);
  return rows[0].verdict;
}

}  // namespace

TEST_CASE("a clear 10% slowdown with a tight spread is a regression") {
  const auto rows = compare_results(doc({run("ws", "epoll", 98, 100, 102)}),
                                    doc({run("ws", "epoll", 88, 90, 91)}), 5);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].verdict == Verdict::regression);
  CHECK(rows[0].change_pct == doctest::Approx(-10).epsilon(0.03));  // the Hodges-Lehmann ratio
  CHECK(any_regression(rows));
}

TEST_CASE("the mirror image is an improvement") {
  CHECK(only_verdict(doc({run("tcp", "uring", 98, 100, 102)}),
                     doc({run("tcp", "uring", 109, 110, 112)})) == Verdict::improvement);
}

TEST_CASE("overlapping noisy runs are undecided, even with a 10% median shift") {
  const auto rows = compare_results(doc({run("ws", "libuv", 70, 100, 130)}),
                                    doc({run("ws", "libuv", 65, 90, 120)}), 5);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].verdict == Verdict::undecided);
  CHECK(rows[0].why.find("holds 1") != std::string::npos);
  CHECK_FALSE(any_regression(rows));
}

TEST_CASE("a tight shift inside the threshold is the same; a looser one is slower") {
  CHECK(only_verdict(doc({run("ws", "epoll", 99.9, 100, 100.1)}),
                     doc({run("ws", "epoll", 96.9, 97, 97.1)})) == Verdict::same);
  CHECK(only_verdict(doc({run("ws", "epoll", 98, 100, 102)}),
                     doc({run("ws", "epoll", 94, 96, 98)})) == Verdict::slower);
}

TEST_CASE("the same run twice is the same; CPU per operation is judged beside it") {
  const auto rows = compare_results(doc({run("ws", "epoll", 99, 100, 101)}),
                                    doc({run("ws", "epoll", 99, 100, 101)}), 5);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].verdict == Verdict::same);
  CHECK(rows[0].cpu_judgement == Judgement::same);
  CHECK(shared_rows(rows) == 1);
}

TEST_CASE("a single-repeat baseline cannot judge noise: undecided, and why") {
  auto one = run("ws", "epoll", 100, 100, 100);
  one["repeats"] = nlohmann::json::array({one["repeats"][0]});
  REQUIRE(one["repeats"].size() == 1);
  const auto rows = compare_results(doc({one}), doc({run("ws", "epoll", 50, 50, 51)}), 5);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].verdict == Verdict::undecided);
  CHECK(rows[0].why.find("a single-repeat baseline cannot show its noise") != std::string::npos);
  CHECK_FALSE(any_regression(rows));
}

TEST_CASE("rows on one side only are listed, not dropped") {
  const auto rows =
      compare_results(doc({run("ws", "epoll", 1, 1, 1), run("ws", "uring", 1, 1, 1)}),
                      doc({run("ws", "epoll", 1, 1, 1), run("ws", "libuv", 1, 1, 1)}), 5);
  REQUIRE(rows.size() == 3);
  int only_old = 0, only_new = 0;
  for (const auto& r : rows) {
    if (r.verdict == Verdict::only_old) {
      ++only_old;
      CHECK(r.loop == "uring");
    }
    if (r.verdict == Verdict::only_new) {
      ++only_new;
      CHECK(r.loop == "libuv");
    }
  }
  CHECK(only_old == 1);
  CHECK(only_new == 1);
  CHECK_FALSE(any_regression(rows));
}

TEST_CASE("http rows compare requests per second") {
  const auto rows = compare_results(doc({run("http", "epoll", 990, 1000, 1010)}),
                                    doc({run("http", "epoll", 700, 710, 720)}), 5);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].metric == "req_per_s");
  CHECK(rows[0].verdict == Verdict::regression);
}

TEST_CASE("something that is not a results file is refused") {
  CHECK_THROWS_AS(compare_results(nlohmann::json::object(), doc({}), 5), std::runtime_error);
}

}  // namespace lb

namespace lb {

TEST_CASE("a peer's row and ours on the same loop name are different rows") {
  auto peer = [](double median) {
    nlohmann::json r = run("http", "python-uvloop", median * 0.99, median, median * 1.01);
    r["client"] = "aiohttp";
    r["peer"] = {{"status", "ok"}};
    return r;
  };
  nlohmann::json ours = run("http", "python-uvloop", 990, 1000, 1010);  // same loop label
  ours["client"] = "loopbench";
  const auto rows = compare_results(doc({ours, peer(500)}), doc({ours, peer(250)}), 5);
  REQUIRE(rows.size() == 2);
  int regressions = 0;
  for (const auto& r : rows)
    if (r.verdict == Verdict::regression) {
      ++regressions;
      CHECK(r.loop == "aiohttp python-uvloop");
    }
  CHECK(regressions == 1);
}

}  // namespace lb
