// The matrix without running anything: the plan interleaves loops inside
// each round, results of several rounds merge into one run per row, and
// the reports hold a table row and the charts for every scenario.
#include <doctest/doctest.h>

#include <set>

#include "tools/report/comparisons.hpp"
#include "tools/report/matrix/merge.hpp"
#include "tools/report/matrix/plan.hpp"
#include "tools/report/matrix/report.hpp"

namespace lb {
namespace {

nlohmann::json step_doc(const std::string& bench, const std::string& loop, double bytes_per_s,
                        double lag_p99, bool tls = false) {
  nlohmann::json summary = {
      {"connections", 1}, {"errors", 0}, {"loop_lag_ms", {{"p99", lag_p99}, {"max", lag_p99 + 1}}}};
  return {
      {"schema", "loopbench.results/1"},
      {"runs", nlohmann::json::array(
                   {{{"bench", bench},
                     {"loop", loop},
                     {"mode", "download"},
                     {"size_bytes", 1 << 20},
                     {"tls", tls},
                     {"params", nlohmann::json::object()},
                     {"repeats", nlohmann::json::array({{{"duration_s", (1 << 20) / bytes_per_s},
                                                         {"bytes", 1 << 20},
                                                         {"cpu_user_s", 0.01},
                                                         {"cpu_sys_s", 0.01}}})},
                     {"summary", summary}}})}};
}

}  // namespace

TEST_CASE("the matrix plan interleaves loops inside each round") {
  MatrixOptions o;
  o.profile = matrix_profile("quick");
  o.loops = {"epoll", "libuv", "uring"};
  o.scenarios = parse_scenarios("ws,stream");
  o.repeat = 2;
  o.stream_file = "/tmp/f.bin";
  const auto steps = plan_matrix(o);
  REQUIRE(steps.size() == 2 * 2 * 3);
  std::vector<std::string> order;
  for (const auto& s : steps)
    order.push_back(std::to_string(s.round) + s.scenario + s.loop);
  CHECK(order == std::vector<std::string>{"1wsepoll", "1wslibuv", "1wsuring", "1streamepoll",
                                          "1streamlibuv", "1streamuring", "2wsepoll", "2wslibuv",
                                          "2wsuring", "2streamepoll", "2streamlibuv",
                                          "2streamuring"});
  CHECK(steps[0].args.front() == "ws");
  CHECK(std::find(steps[0].args.begin(), steps[0].args.end(), "--repeat=1") != steps[0].args.end());
  CHECK(steps[3].args[0] == "stream");
  CHECK(std::find(steps[3].args.begin(), steps[3].args.end(), "--file=/tmp/f.bin") !=
        steps[3].args.end());
  CHECK_THROWS_AS(parse_scenarios("tcp,bogus"), std::invalid_argument);
  CHECK_THROWS_AS(matrix_profile("medium"), std::invalid_argument);
  CHECK(parse_scenarios("all").size() == 7);
}

TEST_CASE("ws and wss run each loop once per codec, both ends alike; tcp does not") {
  MatrixOptions o;
  o.profile = matrix_profile("quick");
  o.loops = {"epoll", "uring"};
  o.codecs = {"native", "wslay"};
  o.scenarios = parse_scenarios("tcp,wss");
  o.repeat = 1;
  const auto steps = plan_matrix(o);
  REQUIRE(steps.size() == 2 + 2 * 2);
  std::vector<std::string> order;
  for (const auto& s : steps)
    order.push_back(s.scenario + " " + s.loop + " " + s.codec);
  CHECK(order == std::vector<std::string>{"tcp epoll ", "tcp uring ", "wss epoll native",
                                          "wss epoll wslay", "wss uring native",
                                          "wss uring wslay"});
  const auto& a = steps[3].args;
  CHECK(std::find(a.begin(), a.end(), "--codec=wslay") != a.end());
  CHECK(std::find(a.begin(), a.end(), "--server-codec=wslay") != a.end());
  CHECK(std::find(a.begin(), a.end(), "--tls") != a.end());
}

TEST_CASE("full echo: the sweep, then an open-loop step per loop; peers never run echo") {
  MatrixOptions o;
  o.profile = matrix_profile("full");
  o.loops = {"epoll", "uring"};
  o.scenarios = parse_scenarios("echo-tcp");
  o.repeat = 1;
  o.server_cpu = 0;
  o.peers = true;
  o.echo_open = o.profile.echo_open;
  const auto steps = plan_matrix(o);
  REQUIRE(steps.size() == 2 * 2);
  auto has = [](const MatrixStep& s, const std::string& arg) {
    return std::find(s.args.begin(), s.args.end(), arg) != s.args.end();
  };
  CHECK(has(steps[0], "--connections=1,10,100,1000,10000"));
  CHECK(has(steps[0], "--size=64,1KiB,16KiB"));
  CHECK_FALSE(steps[0].half_peak);
  for (int i : {2, 3}) {
    CAPTURE(i);
    CHECK(steps[i].half_peak);
    CHECK(steps[i].loop == steps[i - 2].loop);
    CHECK(has(steps[i], "--connections=100"));
    CHECK(has(steps[i], "--size=1024"));
    CHECK(has(steps[i], "--loop=" + steps[i].loop));
    CHECK(has(steps[i], "--server-cpu=0"));
    CHECK(has(steps[i], "--repeat=1"));
  }
  CHECK_FALSE(matrix_profile("quick").echo_open);
}

TEST_CASE("the open-loop rate is half the closed-loop peak at 100 connections x 1 KiB") {
  auto run = [](std::uint64_t connections, std::uint64_t size, double msgs) {
    return nlohmann::json{{"bench", "echo"},
                          {"mode", "closed"},
                          {"size_bytes", size},
                          {"params", {{"connections", connections}}},
                          {"repeats", nlohmann::json::array({{{"requests", 1}}})},
                          {"summary", {{"req_per_s", {{"median", msgs}}}}}};
  };
  nlohmann::json doc = {{"runs", nlohmann::json::array({run(10, 1024, 9000), run(100, 64, 8000),
                                                        run(100, 1024, 50001)})}};
  CHECK(half_peak_rate(doc) == 25000);
  doc["runs"].erase(2);
  CHECK_FALSE(half_peak_rate(doc));
  CHECK_FALSE(half_peak_rate(nlohmann::json{}));
}

TEST_CASE("rounds merge into one run per row; lag is the worst round's") {
  MatrixResults results;
  results.add(step_doc("ws", "epoll", 100e6, 1.0), 1);
  results.add(step_doc("ws", "uring", 200e6, 2.0), 1);
  results.add(step_doc("ws", "epoll", 300e6, 5.0), 2);
  results.add(step_doc("ws", "epoll", 200e6, 3.0, /*tls=*/true), 2);
  const auto runs = results.runs();
  REQUIRE(runs.size() == 3);
  const auto& epoll = runs[0];
  CHECK(epoll.at("loop") == "epoll");
  CHECK(epoll.at("repeats").size() == 2);
  CHECK(epoll["repeats"][0]["round"] == 1);
  CHECK(epoll["repeats"][1]["round"] == 2);
  CHECK(epoll["summary"]["bytes_per_s"]["min"].get<double>() == doctest::Approx(100e6));
  CHECK(epoll["summary"]["bytes_per_s"]["max"].get<double>() == doctest::Approx(300e6));
  CHECK(epoll["summary"]["connections"] == 2);
  CHECK(epoll["summary"]["loop_lag_ms"]["p99"].get<double>() == doctest::Approx(5.0));
  CHECK(scenario_of(runs[2]) == "wss");
}

TEST_CASE("open-loop rounds keep their schedule: slots and late summed, asked the median") {
  MatrixResults results;
  int round = 0;
  for (const auto& [asked, late] : {std::pair{1000.0, 3}, std::pair{3000.0, 0}, {2000.0, 7}}) {
    auto doc = step_doc("echo", "uring", 1e6, 1.0);
    auto& run = doc["runs"][0];
    run["mode"] = "open";
    run["repeats"][0]["requests"] = static_cast<int>(asked);
    run["repeats"][0]["duration_s"] = 1.0;
    run["summary"]["rate"] = {{"asked", asked}, {"slots", asked}, {"late", late}};
    run["summary"]["service_latency_us"] = {{"p99", asked / 10}};
    results.add(doc, ++round);
  }
  const auto runs = results.runs();
  REQUIRE(runs.size() == 1);
  const auto& s = runs[0].at("summary");
  CHECK(s["rate"]["asked"].get<double>() == doctest::Approx(2000));
  CHECK(s["rate"]["slots"] == 6000);
  CHECK(s["rate"]["late"] == 10);
  CHECK(s["rate"]["achieved"].get<double>() == doctest::Approx(2000));
  CHECK(s["service_latency_us"]["p99"].get<double>() == doctest::Approx(200));
}

TEST_CASE("reports: a table row per run, charts per scenario, verdicts when given") {
  MatrixResults results;
  for (int round = 1; round <= 5; ++round)
    for (const char* loop : {"epoll", "libuv"}) {
      results.add(step_doc("tcp", loop, 100e6 + round * 1e6, 1.0), round);
      results.add(step_doc("ws", loop, 100e6 + round * 1e6, 1.0, true), round);
    }
  nlohmann::json doc = {{"schema", "loopbench.results/1"}, {"runs", results.runs()}};
  CHECK(matrix_chart_count(doc) == 4);
  const std::string md = matrix_markdown(doc, {});
  CHECK(md.find("## tcp") != std::string::npos);
  CHECK(md.find("## wss") != std::string::npos);
  CHECK(md.find("| download 1 MiB | libuv |") != std::string::npos);
  const std::string html = matrix_html(doc, {});
  std::size_t svgs = 0;
  for (auto p = html.find("<svg"); p != std::string::npos; p = html.find("<svg", p + 1))
    ++svgs;
  CHECK(svgs == 4);
  CHECK(html.find("http://") == html.find("http://www.w3.org/2000/svg"));  // nothing fetched

  // Every round took twice as long: half the throughput, a regression.
  nlohmann::json slower = doc;
  for (auto& run : slower["runs"])
    for (auto& rep : run["repeats"])
      rep["duration_s"] = rep["duration_s"].get<double>() * 2;
  const auto verdicts = compare_results(doc, slower, 5);
  CHECK(matrix_markdown(slower, verdicts).find("REGRESSION") != std::string::npos);
  CHECK(matrix_html(slower, verdicts).find("Regressions found") != std::string::npos);
}

}  // namespace lb

namespace lb {

TEST_CASE("peer rows merge per client and loop, and say when they were not installed") {
  MatrixResults results;
  auto peer_doc = [](const std::string& client, const std::string& status, double bytes_per_s) {
    auto d = step_doc("ws", "python-asyncio", bytes_per_s, 1.0);
    auto& r = d["runs"][0];
    r["client"] = client;
    r["peer"] = {{"status", status}, {"version", "1"}};
    if (status == "not installed") {
      r["peer"]["note"] = "apt-get install python3-" + client;
      r["repeats"] = nlohmann::json::array();
      r["summary"] = {{"errors", 0}};
    }
    return d;
  };
  for (int round = 0; round < 2; ++round) {
    results.add(peer_doc("websockets", "ok", 100e6), round + 1);
    results.add(peer_doc("aiohttp", "ok", 200e6), round + 1);
    results.add(peer_doc("missing", "not installed", 0), round + 1);
  }
  const auto runs = results.runs();
  REQUIRE(runs.size() == 3);
  CHECK(runs[0]["client"] == "websockets");
  CHECK(runs[0]["repeats"].size() == 2);
  CHECK(runs[0]["peer"]["status"] == "ok");
  CHECK(runs[1]["client"] == "aiohttp");
  CHECK(runs[2]["peer"]["status"] == "not installed");
  nlohmann::json doc = {{"schema", "loopbench.results/1"}, {"runs", runs}};
  const std::string md = matrix_markdown(doc, {});
  CHECK(md.find("| websockets python-asyncio |") != std::string::npos);
  CHECK(md.find("not installed: apt-get install python3-missing") != std::string::npos);
}

TEST_CASE("--net goes to every step, and nothing is added without it") {
  MatrixOptions o;
  o.profile = matrix_profile("quick");
  o.loops = {"epoll"};
  o.scenarios = parse_scenarios("tcp,http,ws,echo-tcp,stream");
  o.repeat = 1;
  o.echo_open = true;
  const auto has_net = [](const MatrixStep& s, const std::string& value) {
    return std::find(s.args.begin(), s.args.end(), "--net=" + value) != s.args.end();
  };
  for (const auto& s : plan_matrix(o)) {
    INFO(s.scenario);
    CHECK(std::none_of(s.args.begin(), s.args.end(),
                       [](const std::string& a) { return a.rfind("--net", 0) == 0; }));
  }
  o.net = "wan";
  const auto steps = plan_matrix(o);
  for (const auto& s : steps) {
    INFO(s.scenario);
    CHECK(has_net(s, "wan"));
  }
}

}  // namespace lb

namespace lb {

TEST_CASE("with a seed, each round runs every loop once, in its own reproducible order") {
  MatrixOptions o;
  o.profile = matrix_profile("quick");
  o.loops = {"epoll", "libuv", "uring"};
  o.scenarios = parse_scenarios("tcp,ws");
  o.repeat = 6;
  o.seed = 7;
  const auto steps = plan_matrix(o);
  REQUIRE(steps.size() == 6 * 2 * 3);
  CHECK(plan_matrix(o).front().loop == steps.front().loop);
  std::set<std::string> orders;
  for (std::size_t block = 0; block < steps.size(); block += 3) {
    std::string order;
    std::set<std::string> loops;
    for (std::size_t i = block; i < block + 3; ++i) {
      CHECK(steps[i].round == steps[block].round);
      CHECK(steps[i].scenario == steps[block].scenario);
      loops.insert(steps[i].loop);
      order += steps[i].loop + " ";
    }
    CHECK(loops.size() == 3);
    orders.insert(order);
  }
  CHECK(orders.size() > 1);  // 12 blocks in one fixed order would be no shuffle
  std::vector<std::string> again;
  for (const auto& s : plan_matrix(o))
    again.push_back(s.loop);
  std::vector<std::string> first;
  for (const auto& s : steps)
    first.push_back(s.loop);
  CHECK(again == first);
}

TEST_CASE("loops compared with the reference, paired by round: interval and verdict") {
  // uring moves 1.3x epoll's bytes in every round while the machine drifts
  // by 2x between rounds; libuv moves the same within 1 %.
  MatrixResults results;
  const double drift[] = {1.0, 2.0, 0.6, 1.4, 0.8, 1.9};
  const double noise[] = {1.00, 1.01, 0.99, 1.005, 0.995, 1.0};
  for (int round = 1; round <= 6; ++round) {
    const double base = 100e6 * drift[round - 1];
    results.add(step_doc("ws", "epoll", base, 1.0), round);
    results.add(step_doc("ws", "uring", base * 1.3 * noise[round - 1], 1.0), round);
    results.add(step_doc("ws", "libuv", base * noise[round - 1], 1.0), round);
  }
  // Rows come out in the loops' order, not in the order they ran.
  const auto ordered = results.runs({"epoll", "libuv", "uring"});
  REQUIRE(ordered.size() == 3);
  CHECK(ordered[0]["loop"] == "epoll");
  CHECK(ordered[1]["loop"] == "libuv");
  CHECK(ordered[2]["loop"] == "uring");
  nlohmann::json doc = {{"runs", results.runs()}, {"matrix", {{"reference", "epoll"}}}};
  const auto comparisons = compare_rows(doc["runs"], "epoll", 0.03);
  // Throughput and CPU per GiB for uring and libuv; no latency in ws rows.
  REQUIRE(comparisons.size() == 4);
  const auto& uring = comparisons[0];
  CHECK(uring.row == "uring");
  CHECK(uring.against == "loop");
  CHECK(uring.reference == "epoll");
  CHECK(uring.metric == "throughput");
  CHECK(uring.paired_rounds == 6);
  REQUIRE(uring.interval);
  CHECK(uring.interval->low > 1.25);
  CHECK(uring.interval->high < 1.35);
  CHECK(judgement_word(uring) == "faster");
  // The same CPU seconds for 1 MiB in every row: the same cost.
  CHECK(comparisons[1].metric == "cpu_per_op");
  CHECK(judgement_word(comparisons[1]) == "same");
  CHECK(judgement_word(comparisons[2]) == "same");  // libuv's throughput, within 1 %
  CHECK(comparison_text(comparisons[2]).find("] same") != std::string::npos);

  doc["comparisons"] = comparisons_json(comparisons);
  CHECK(doc["comparisons"][0]["verdict"] == "faster");
  CHECK(doc["comparisons"][0]["rounds"] == 6);
  const std::string md = matrix_markdown(doc, {});
  CHECK(md.find("vs epoll") != std::string::npos);
  CHECK(md.find("| download 1 MiB | epoll |") != std::string::npos);
  CHECK(md.find("reference") != std::string::npos);
  CHECK(md.find(comparison_text(uring)) != std::string::npos);
  CHECK(md.find("vs best") == std::string::npos);

  // Five rounds cannot give a 95 % interval: undecided, and why.
  MatrixResults five;
  for (int round = 1; round <= 5; ++round) {
    five.add(step_doc("ws", "epoll", 100e6, 1.0), round);
    five.add(step_doc("ws", "uring", 200e6, 1.0), round);
  }
  const auto few = compare_rows(five.runs(), "epoll", 0.03);
  REQUIRE(!few.empty());
  CHECK(judgement_word(few[0]) == "undecided");
  CHECK(few[0].why == "5 paired rounds; 6 give a 95 % interval");
}

}  // namespace lb
