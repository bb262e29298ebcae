// `bench matrix` end to end: one round of the quick profile writes
// results.json (every scenario x loop row present, schema keys), summary.md
// and report.html; a second run against it as a baseline lists the rows it
// did not measure; and the report, opened by headless Chromium from disk,
// renders its charts (screenshot not blank, every SVG in the DOM).
#include <doctest/doctest.h>

#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "command.hpp"

namespace lb::test {
namespace {

struct MatrixRun {
  std::string dir = temp_path("matrix");
  CommandResult result;
  MatrixRun() {
    std::system(("rm -rf " + dir + " && mkdir -p " + dir).c_str());
    result = run_bench(
        "matrix --profile quick --repeat 1 --open-loop=yes --out " + dir + "/a --data-dir " + dir,
        600);
  }
  ~MatrixRun() { std::system(("rm -rf " + dir).c_str()); }
};

MatrixRun& matrix() {
  static MatrixRun m;
  return m;
}

bool have_chromium() {
  return std::system("command -v chromium >/dev/null 2>&1") == 0;
}

}  // namespace

TEST_CASE("bench matrix: results.json, summary.md and report.html, every row present") {
  const auto& m = matrix();
  INFO(m.result.out << m.result.err);
  REQUIRE(m.result.exit_code == 0);
  CHECK(m.result.out.find(m.dir + "/a/report.html") != std::string::npos);
  const auto doc = nlohmann::json::parse(slurp(m.dir + "/a/results.json"));
  CHECK(doc.at("schema") == "loopbench.results/2");
  CHECK(doc.at("machine").at("loops").size() >= 1);
  CHECK(doc.at("matrix").at("failed_steps").empty());
  // Per loop: tcp 1, http 3 sizes, ws and wss 2 codecs each, stream 2
  // directions, echo over tcp and ws 1 closed and 1 open loop each.
  CHECK(doc.at("runs").size() == 14 * LOOPBENCH_BACKEND_COUNT);
  CHECK(doc.at("matrix").at("open_loop") == true);
  CHECK(doc.at("matrix").at("codecs") == nlohmann::json{"native", "wslay"});
  std::map<std::string, int> per_scenario, per_codec;
  for (const auto& run : doc.at("runs")) {
    for (const char* key : {"bench", "loop", "mode", "size_bytes", "tls", "params", "repeats"})
      CHECK(run.contains(key));
    const auto& s = run.at("summary");
    for (const char* key : {"duration_s", "bytes_per_s", "cpu_s_per_gib", "loop_lag_ms"})
      CHECK(s.contains(key));
    CHECK(s.at("errors") == 0);
    CHECK(run.at("repeats").size() == 1);
    const std::string bench = run.at("bench");
    if (bench == "echo" && run.at("mode") == "open") {
      // Half of the same loop's closed-loop messages/s, reached.
      const double asked = run.at("params").at("rate");
      const auto closed = std::find_if(doc.at("runs").begin(), doc.at("runs").end(), [&](auto& c) {
        return c.at("bench") == "echo" && c.at("mode") == "closed" &&
               c.at("loop") == run.at("loop") &&
               c.at("params").at("transport") == run.at("params").at("transport");
      });
      REQUIRE(closed != doc.at("runs").end());
      CHECK(asked ==
            doctest::Approx(closed->at("summary").at("req_per_s").at("median").get<double>() / 2)
                .epsilon(0.01));
      // The schedule is the machine-independent part: every slot of the window is counted,
      // sent on time or late, and echoes never outrun it. Whether a noisy machine keeps up
      // is a figure for the tables, not a verdict here.
      const double window = s.at("duration_s").at("median");
      CHECK(s.at("rate").at("slots").get<double>() ==
            doctest::Approx(asked * window).epsilon(0.01));
      CHECK(s.at("req_per_s").at("median").get<double>() > 0);
      CHECK(s.at("req_per_s").at("median").get<double>() <= asked * 1.02);
      ++per_scenario["echo-open"];
    } else if (bench == "echo") {
      ++per_scenario["echo-" + run.at("params").at("transport").get<std::string>()];
    } else {
      ++per_scenario[bench + (run.at("tls") ? "s" : "")];
    }
    if (run.at("bench") == "ws") {
      CHECK(run.at("params").at("server_codec") == run.at("codec"));
      ++per_codec[run.at("codec").get<std::string>()];
    }
  }
  CHECK(per_codec["native"] == 2 * LOOPBENCH_BACKEND_COUNT);
  CHECK(per_codec["wslay"] == 2 * LOOPBENCH_BACKEND_COUNT);
  CHECK(per_scenario["tcp"] == LOOPBENCH_BACKEND_COUNT);
  CHECK(per_scenario["http"] == 3 * LOOPBENCH_BACKEND_COUNT);
  CHECK(per_scenario["ws"] == 2 * LOOPBENCH_BACKEND_COUNT);
  CHECK(per_scenario["wss"] == 2 * LOOPBENCH_BACKEND_COUNT);
  CHECK(per_scenario["stream"] == 2 * LOOPBENCH_BACKEND_COUNT);
  CHECK(per_scenario["echo-tcp"] == LOOPBENCH_BACKEND_COUNT);
  CHECK(per_scenario["echo-ws"] == LOOPBENCH_BACKEND_COUNT);
  CHECK(per_scenario["echo-open"] == 2 * LOOPBENCH_BACKEND_COUNT);
  const std::string md = slurp(m.dir + "/a/summary.md");
  for (const char* h :
       {"## tcp", "## http", "## ws", "## wss", "## stream", "## echo-tcp", "## echo-ws", "msgs/s",
        "CPU µs/msg", "server CPU µs/msg", "open 1 KiB tcp x100", "closed 1 KiB ws x100"})
    CHECK(md.find(h) != std::string::npos);
}

TEST_CASE("bench matrix --baseline: verdicts, and rows it did not measure are listed") {
  const auto& m = matrix();
  REQUIRE(m.result.exit_code == 0);
  const auto r = run_bench("matrix --profile quick --repeat 1 --scenarios=tcp --out " + m.dir +
                           "/b --baseline " + m.dir + "/a/results.json");
  INFO(r.out << r.err);
  CHECK((r.exit_code == 0 || r.exit_code == 3));  // a real run may or may not regress
  const std::string md = slurp(m.dir + "/b/summary.md");
  CHECK(md.find("## Baseline") != std::string::npos);
  CHECK(md.find("missing in new") != std::string::npos);
  // The page draws the old run's median beside the new one's.
  const std::string html = slurp(m.dir + "/b/report.html");
  CHECK(html.find("tcp: baseline and this run, Gbit/s (medians)") != std::string::npos);
  CHECK(html.find("class=\"old\"") != std::string::npos);
  CHECK(html.find("class=\"new\"") != std::string::npos);
  CHECK(run_bench("matrix --scenarios=bogus").exit_code == 2);
  CHECK(run_bench("matrix --baseline /nonexistent.json").exit_code == 2);
}

TEST_CASE(
    "bench matrix compares every loop with the reference, round by round, in a seeded order") {
  const std::string dir = temp_path("matrix-verdicts");
  std::system(("rm -rf " + dir).c_str());
  const auto r =
      run_bench("matrix --profile quick --scenarios=tcp --repeat=6 --seed=5 --out " + dir, 600);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto doc = nlohmann::json::parse(slurp(dir + "/results.json"));
  CHECK(doc.at("matrix").at("seed") == 5);
  CHECK(doc.at("matrix").at("reference") == "epoll");
  CHECK(doc.at("matrix").at("margin").get<double>() == doctest::Approx(0.03));
  const auto loops = doc.at("matrix").at("loops").size();
  // Throughput and CPU per GiB for each loop but epoll; tcp has no latency.
  const auto& comparisons = doc.at("comparisons");
  CHECK(comparisons.size() == 2 * (loops - 1));
  const std::set<std::string> verdicts{"faster",   "slower", "less CPU",
                                       "more CPU", "same",   "undecided"};
  for (const auto& c : comparisons) {
    INFO(c.dump());
    CHECK(c.at("reference") == "epoll");
    CHECK(c.at("rounds") == 6);
    CHECK(verdicts.count(c.at("verdict").get<std::string>()) == 1);
    REQUIRE(c.contains("ratio"));
    CHECK(c.at("low").get<double>() <= c.at("ratio").get<double>());
    CHECK(c.at("ratio").get<double>() <= c.at("high").get<double>());
    CHECK(c.at("confidence").get<double>() >= 0.95);
  }
  const std::string md = slurp(dir + "/summary.md");
  CHECK(md.find("vs epoll") != std::string::npos);
  CHECK(md.find("--seed=5") != std::string::npos);
  CHECK(std::regex_search(md, std::regex(R"(\d\.\d\dx \[\d\.\d\d–\d\.\d\d\] )")));
  // The steps' logs, numbered in the order they ran: each round holds
  // every loop once, and not every round in the same order.
  if (loops > 1) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir + "/steps"))
      if (e.path().extension() == ".log") names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    // A disturbed round runs again (flagged_rounds): its first try's
    // steps stay, and the order is read from each round's first try.
    // A try disturbed again is kept ("kept"), so only "repeated" adds steps.
    std::size_t repeated = 0;
    for (const auto& f : doc.at("matrix").at("flagged_rounds"))
      repeated += f.at("action") == "repeated" ? 1 : 0;
    REQUIRE(names.size() == (6 + repeated) * loops);
    std::map<std::string, std::string> orders_by_round;
    for (const auto& name : names) {
      // "-r1.log" of "001-tcp-epoll-r1.log"
      auto& order = orders_by_round[name.substr(name.rfind("-r"))];
      if (order.size() < loops * 6) order += name.substr(8, 5) + " ";
    }
    std::set<std::string> orders;
    for (const auto& [round, order] : orders_by_round)
      orders.insert(order);
    CHECK(orders.size() > 1);
  }
  std::system(("rm -rf " + dir).c_str());
  CHECK(run_bench("matrix --reference=nosuch").exit_code == 2);
  CHECK(run_bench("matrix --margin=-1").exit_code == 2);
}

TEST_CASE(
    "bench matrix --rounds=auto: looks fixed in advance, stops decided, at the most, or the "
    "budget") {
  const std::string dir = temp_path("matrix-auto");
  std::system(("rm -rf " + dir).c_str());
  const auto r = run_bench(
      "matrix --profile quick --scenarios=tcp --rounds=auto --max-rounds=8 --seed=3 --out " + dir,
      600);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  auto doc = nlohmann::json::parse(slurp(dir + "/results.json"));
  const auto& plan = doc.at("matrix").at("rounds_plan");
  CHECK(plan.at("mode") == "auto");
  CHECK(plan.at("looks") == nlohmann::json{7, 8});
  CHECK(plan.at("level_per_look").get<double>() == doctest::Approx(0.975));
  const int rounds = doc.at("matrix").at("rounds");
  const std::string stopped = doc.at("matrix").at("stopped");
  // Decided at the first look, or run to the most allowed.
  CHECK(((rounds == 7 && stopped == "decided") || (rounds == 8 && stopped == "max rounds")));
  for (const auto& c : doc.at("comparisons")) {
    INFO(c.dump());
    CHECK(c.at("rounds") == rounds);
    if (c.contains("confidence")) CHECK(c.at("confidence").get<double>() >= 0.975);
    if (stopped == "decided") CHECK(c.at("verdict") != "undecided");
  }
  CHECK(slurp(dir + "/summary.md").find("Rounds until decided") != std::string::npos);

  // A budget spent after the first round: one round, and no interval.
  std::system(("rm -rf " + dir).c_str());
  const auto b = run_bench(
      "matrix --profile quick --scenarios=tcp --rounds=auto --max-rounds=8 "
      "--time-budget=0.001 --out " +
          dir,
      600);
  INFO(b.out << b.err);
  REQUIRE(b.exit_code == 0);
  doc = nlohmann::json::parse(slurp(dir + "/results.json"));
  CHECK(doc.at("matrix").at("rounds") == 1);
  CHECK(doc.at("matrix").at("stopped") == "time budget");
  for (const auto& c : doc.at("comparisons")) {
    CHECK(c.at("verdict") == "undecided");
    CHECK(c.at("why") == "1 paired round; 7 give a 97.5 % interval");
  }
  std::system(("rm -rf " + dir).c_str());
  CHECK(run_bench("matrix --rounds=auto --max-rounds=5").exit_code == 2);
  CHECK(run_bench("matrix --rounds=sometimes").exit_code == 2);
}

TEST_CASE("bench matrix flags a round the machine disturbed, runs it again once and lists it") {
  if (::sysconf(_SC_NPROCESSORS_ONLN) < 2) return;  // the disturbance needs the client's own core
  const std::string dir = temp_path("matrix-disturbed");
  std::system(("rm -rf " + dir).c_str());
  const std::string loop = LOOPBENCH_FIRST_BACKEND;
  auto running = std::async(std::launch::async, [&] {
    return run_bench("matrix --profile quick --scenarios=tcp --loops=" + loop +
                         " --rounds=8 --server-cpu=0 --client-cpu=1 --out " + dir,
                     600);
  });
  // With one loop a round is one step (two when the machine disturbed it
  // on its own): step 6 shares the client's CPU with a spinning process
  // of higher priority, which stops when step 7 starts.
  const auto step_log = [&](int n) -> std::string {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir + "/steps", ec)) {
      const auto name = e.path().filename().string();
      if (name.rfind((n < 10 ? "00" : "0") + std::to_string(n) + "-tcp-", 0) == 0) return name;
    }
    return {};
  };
  const auto wait_for_step = [&](int n) {
    while (step_log(n).empty() &&
           running.wait_for(std::chrono::milliseconds(2)) != std::future_status::ready) {
    }
  };
  wait_for_step(6);
  // "006-tcp-epoll-r6.log": the round step 6 belongs to.
  const std::string sixth = step_log(6);
  REQUIRE(sixth.rfind("-r") != std::string::npos);
  const int disturbed_round = std::stoi(sixth.substr(sixth.rfind("-r") + 2));
  const pid_t hog = ::fork();
  if (hog == 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(1, &set);
    ::sched_setaffinity(0, sizeof set, &set);
    // Ahead of the client in the scheduler's share (as root), so that the
    // round stands out even when CI's other tests load the CPUs in every
    // round: the client gets about a tenth of its CPU while this spins.
    (void)::setpriority(PRIO_PROCESS, 0, -10);
    for (;;)
      std::atomic_signal_fence(std::memory_order_seq_cst);  // a loop the compiler keeps
  }
  REQUIRE(hog > 0);
  wait_for_step(7);
  ::kill(hog, SIGKILL);
  ::waitpid(hog, nullptr, 0);
  const auto r = running.get();
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto doc = nlohmann::json::parse(slurp(dir + "/results.json"));
  const auto& flagged = doc.at("matrix").at("flagged_rounds");
  INFO(flagged.dump(2));
  // A first try disturbed runs again ("repeated"); a second try that
  // step 6 was is kept.
  const auto hit = std::find_if(flagged.begin(), flagged.end(),
                                [&](const auto& f) { return f.at("round") == disturbed_round; });
  REQUIRE(hit != flagged.end());
  CHECK(hit->at("scenario") == "tcp");
  CHECK(hit->at("why").at(0).get<std::string>().find(loop + ": ") == 0);
  // Every round counts once, with what the machine did to it.
  const auto& repeats = doc.at("runs").at(0).at("repeats");
  CHECK(repeats.size() == 8);
  for (const auto& rep : repeats) {
    CHECK(rep.at("machine").at("probe_us").size() == 2);
    CHECK(rep.at("machine").contains("run_queue_wait_s"));
  }
  const std::string md = slurp(dir + "/summary.md");
  CHECK(md.find("Disturbed rounds") != std::string::npos);
  CHECK(md.find("tcp round " + std::to_string(disturbed_round) + ": " + loop + ": ") !=
        std::string::npos);
  std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("report.html renders in headless Chromium at 1400 and 800 px: charts, no label cut") {
  if (!have_chromium()) {
    MESSAGE("skipped: chromium is not installed (apt-get install chromium)");
    return;
  }
  const auto& m = matrix();
  REQUIRE(m.result.exit_code == 0);
  const std::string html = slurp(m.dir + "/a/report.html");
  // How the run was made, on the page.
  for (const char* fact : {"<td>command</td>", "bench matrix --profile quick", "<td>loopbench</td>",
                           "<td>machine</td>", "<td>pinning</td>", "<td>codecs</td>"})
    CHECK(html.find(fact) != std::string::npos);
  // A copy with the layout check (report_layout_check.js) in it.
  const std::string checked = m.dir + "/a/checked.html";
  {
    std::string page = html;
    const auto end = page.rfind("</body>");
    REQUIRE(end != std::string::npos);
    page.insert(end,
                "<script>" +
                    slurp(std::string(LOOPBENCH_SOURCE_DIR) + "/tests/e2e/report_layout_check.js") +
                    "</script>\n");
    std::ofstream(checked) << page;
  }
  const auto doc = nlohmann::json::parse(slurp(m.dir + "/a/results.json"));
  for (const int width : {1400, 800}) {
    INFO("window " << width << " px wide");
    const std::string flags =
        "timeout 120 chromium --headless --no-sandbox --disable-gpu "
        "--hide-scrollbars --virtual-time-budget=5000 --window-size=" +
        std::to_string(width) + ",2400 ";
    const std::string shot = m.dir + "/shot.png", dom = m.dir + "/dom.html";
    REQUIRE(std::system((flags + "--screenshot=" + shot + " file://" + checked + " >/dev/null 2>&1")
                            .c_str()) == 0);
    REQUIRE(std::system(
                (flags + "--dump-dom file://" + checked + " >" + dom + " 2>/dev/null").c_str()) ==
            0);
    const std::string text = slurp(dom);
    std::size_t svgs = 0;
    for (auto p = text.find("<svg"); p != std::string::npos; p = text.find("<svg", p + 1))
      ++svgs;
    // Throughput and CPU per scenario, latency for http and echo (17), and
    // a ratio chart per scenario, kind of pair (loop, codec, client) and
    // metric compared.
    std::set<std::string> compared;
    for (const auto& c : doc.at("comparisons"))
      compared.insert(c.at("scenario").get<std::string>() + " " +
                      c.at("against").get<std::string>() + " " + c.at("metric").get<std::string>());
    CHECK(svgs == 17 + compared.size());
    const auto from = text.rfind("<pre id=\"layout-check\">");
    REQUIRE(from != std::string::npos);
    const std::string layout = text.substr(from, text.find("</pre>", from) - from);
    INFO(layout);
    CHECK(layout.find("texts ") != std::string::npos);
    CHECK(std::stoi(layout.substr(layout.find("texts ") + 6)) > 200);
    CHECK(layout.find("clipped: ") == std::string::npos);
    CHECK(layout.find("overlap: ") == std::string::npos);
    CHECK(layout.find("wider than the window") == std::string::npos);
    const std::string count_cmd = "/usr/bin/python3 " + std::string(LOOPBENCH_SOURCE_DIR) +
                                  "/tests/e2e/png_colors.py " + shot + " >" + m.dir + "/colours";
    REQUIRE(std::system(count_cmd.c_str()) == 0);
    CHECK(std::stoi(slurp(m.dir + "/colours")) > 20);  // a blank page has one
  }
}

}  // namespace lb::test
