// Ctrl-C keeps what finished: a SIGINT to bench mid-run lets the repeat
// under way finish, prints the table and writes the results of the rows
// that ran (the rest not run, marked), and exits 130; bench matrix writes
// its results of the steps done, marked partial.
#include <doctest/doctest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "command.hpp"

namespace lb::test {
namespace {

// Runs bench with `args` on a thread, sends SIGINT to bench itself (not to
// its built-in server or to the `timeout` around it) after `after`, and
// returns what it printed and its exit code.
CommandResult interrupted_run(const std::string& args, std::chrono::milliseconds after) {
  CommandResult r;
  std::thread run([&] { r = run_bench(args, 120); });
  std::this_thread::sleep_for(after);
  // The oldest process whose command line starts with bench and these
  // arguments: bench, not the server child it forked.
  const std::string pattern = std::string("^") + LOOPBENCH_BENCH + " " + args.substr(0, 20);
  CHECK(std::system(("pkill -INT -o -f -- '" + pattern + "'").c_str()) == 0);
  run.join();
  return r;
}

}  // namespace

TEST_CASE("Ctrl-C: the finished rows are printed and written, the rest marked, exit 130") {
  const auto loops = compiled_loops();
  const std::string json = temp_path("interrupted.json");
  // Two rows of 3 s each, the first after a 3 s warm-up attempt (its
  // server and connections start in well under a second): the signal
  // comes 4.8 s in, during the first row's counted repeat.
  const std::string loop_list = loops.front() + "," + loops.back();
  const auto r = interrupted_run("echo --loop=" + loop_list +
                                     " --duration=3 --connections=10 --repeat=1 --warmup=0 "
                                     "--json=" +
                                     json,
                                 std::chrono::milliseconds(4800));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 130);
  CHECK(r.err.find("bench: interrupted") != std::string::npos);
  CHECK(r.out.find("msgs/s") != std::string::npos);  // the table
  const auto doc = nlohmann::json::parse(slurp(json));
  std::remove(json.c_str());
  const auto& runs = doc.at("runs");
  REQUIRE(runs.size() == 2);
  CHECK(runs[0].at("repeats").size() == 1);  // the row under way finished
  CHECK(runs[0].at("summary").at("errors") == 0);
  CHECK(runs[1].at("repeats").empty());
  CHECK(runs[1].at("summary").at("interrupted") == true);
}

TEST_CASE("Ctrl-C: bench matrix writes what it measured, marked partial") {
  const std::string dir = temp_path("matrix-interrupted");
  std::system(("rm -rf " + dir).c_str());
  const auto r =
      interrupted_run("matrix --profile quick --scenarios=tcp,http --rounds=6 --out " + dir,
                      std::chrono::milliseconds(2500));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 130);
  const auto doc = nlohmann::json::parse(slurp(dir + "/results.json"));
  CHECK(doc.at("matrix").at("partial") == true);
  CHECK(doc.at("matrix").at("stopped") == "interrupted");
  CHECK(doc.at("matrix").at("rounds").get<int>() < 6);
  CHECK(!doc.at("runs").empty());
  CHECK(slurp(dir + "/summary.md").find("## tcp") != std::string::npos);
  std::system(("rm -rf " + dir).c_str());
}

}  // namespace lb::test
