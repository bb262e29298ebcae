// Ctrl-C keeps the work done: a measuring command interrupted midway
// prints its table of the rounds that finished, writes --json marked
// interrupted, and exits 130; an interrupted matrix writes its results,
// summary and report of the steps that finished. The signal goes to the
// whole process group, as a terminal's Ctrl-C does.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "command.hpp"

extern char** environ;

namespace lb::test {
namespace {

// bench in a process group of its own, stdout and stderr to files.
pid_t spawn_in_group(const std::vector<std::string>& args, const std::string& out,
                     const std::string& err) {
  std::vector<std::string> all = {LOOPBENCH_BENCH};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  REQUIRE(rc == 0);
  return pid;
}

// The exit code, or -1 when `pid` is still running after `seconds`
// (then it is killed).
int exit_code_within(pid_t pid, int seconds) {
  for (int i = 0; i < seconds * 50; ++i) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(-pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return -1;
}

const std::string kFirst = LOOPBENCH_FIRST_BACKEND;

}  // namespace

TEST_CASE("bench interrupted: Ctrl-C keeps the rounds that finished, their table and --json") {
  const std::string out = temp_path("int.out"), err = temp_path("int.err"),
                    json = temp_path("int.json");
  ::setenv("LOOPBENCH_TEST_TWIN", kFirst.c_str(), 1);
  // Fifty rounds of two loops: far more than the seconds before the signal.
  const pid_t pid =
      spawn_in_group({"tcp", "--loop=" + kFirst + "," + kFirst + "-twin", "--total=512MiB",
                      "--repeat=50", "--warmup=0", "--json=" + json},
                     out, err);
  ::unsetenv("LOOPBENCH_TEST_TWIN");
  std::this_thread::sleep_for(std::chrono::seconds(3));
  ::kill(-pid, SIGINT);
  const int code = exit_code_within(pid, 10);
  INFO(slurp(out) << slurp(err));
  CHECK(code == 130);
  const std::string table = slurp(out);
  CHECK(table.find("download    " + kFirst + " ") != std::string::npos);
  CHECK(table.find(kFirst + "-twin") != std::string::npos);
  CHECK(slurp(err).find("bench: interrupted: the table and results hold the rounds that "
                        "finished; cut short: tcp download " +
                        kFirst) != std::string::npos);
  const auto doc = nlohmann::json::parse(slurp(json));
  CHECK(doc.at("interrupted") == true);
  REQUIRE(doc.at("runs").size() == 2);
  for (const auto& run : doc.at("runs")) {
    CHECK(run.at("interrupted") == true);
    CHECK(run.at("repeats").size() >= 1);
    CHECK(run.at("repeats").size() < 50);
    CHECK(run.at("summary").at("errors") == 0);  // the attempt cut short is not an error
  }
  for (const auto& f : {out, err, json})
    std::remove(f.c_str());
}

TEST_CASE("bench matrix interrupted: results, summary and report of the steps that finished") {
  const std::string dir = temp_path("matrix-int"), out = temp_path("mint.out"),
                    err = temp_path("mint.err");
  std::system(("rm -rf " + dir).c_str());
  const pid_t pid = spawn_in_group({"matrix", "--profile=quick", "--scenarios=tcp",
                                    "--loops=" + kFirst, "--rounds=40", "--out=" + dir},
                                   out, err);
  // Interrupted once three steps have started.
  for (int i = 0;
       i < 3000 && !std::filesystem::exists(dir + "/steps/003-tcp-" + kFirst + "-r3.log"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ::kill(-pid, SIGINT);
  const int code = exit_code_within(pid, 20);
  INFO(slurp(out) << slurp(err));
  CHECK(code == 130);
  const auto doc = nlohmann::json::parse(slurp(dir + "/results.json"));
  CHECK(doc.at("interrupted") == true);
  CHECK(doc.at("matrix").at("stopped") == "interrupted");
  const int rounds = doc.at("matrix").at("rounds");
  CHECK(rounds >= 2);
  CHECK(rounds < 40);
  CHECK(doc.at("matrix").at("failed_steps").empty());  // the step cut short is no failure
  CHECK(slurp(dir + "/summary.md").find("**Interrupted**") != std::string::npos);
  CHECK(std::filesystem::exists(dir + "/report.html"));
  std::system(("rm -rf " + dir).c_str());
  std::remove(out.c_str());
  std::remove(err.c_str());
}

}  // namespace lb::test
