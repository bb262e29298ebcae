#pragma once
// Starts `bench serve ...` in the background, learns its port from the
// "listening on HOST:PORT" line, and stops it with SIGINT on destruction.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>

#include "command.hpp"

namespace lb::test {

class BenchServer {
 public:
  // `args` go to the bench binary; with raw_command they are a whole
  // command line (another peer that prints the same "listening on" line).
  explicit BenchServer(const std::string& args, bool raw_command = false)
      : out_(temp_path("server-" + std::to_string(counter()++) + ".out")), pidfile_(out_ + ".pid") {
    const std::string program = raw_command ? "" : std::string(LOOPBENCH_BENCH) + " ";
    const std::string cmd =
        "sh -c '" + program + args + " >" + out_ + " 2>&1 & echo $! >" + pidfile_ + "'";
    REQUIRE(std::system(cmd.c_str()) == 0);
    const std::regex listening(R"(listening on 127\.0\.0\.1:(\d+))");
    std::smatch m;
    std::string text;
    for (int i = 0; i < 200 && !std::regex_search(text, m, listening); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
      text = slurp(out_);
    }
    REQUIRE_MESSAGE(std::regex_search(text, m, listening), text);
    port_ = std::stoi(m[1]);
    pid_ = std::stoi(slurp(pidfile_));
  }
  ~BenchServer() { stop(); }

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // SIGINT, wait for exit; returns everything it printed.
  std::string stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGINT);
      for (int i = 0; i < 200 && ::kill(pid_, 0) == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
      if (::kill(pid_, 0) == 0) ::kill(pid_, SIGKILL);
      pid_ = -1;
      output_ = slurp(out_);
      std::remove(out_.c_str());
      std::remove(pidfile_.c_str());
    }
    return output_;
  }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::string out_, pidfile_, output_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace lb::test
