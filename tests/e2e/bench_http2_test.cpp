// HTTP/2 end to end: bench http --http2 against the built-in server (h2c by
// Upgrade, h2 by ALPN) on every loop, GOAWAY midway, and the server under
// other HTTP/2 clients: h2load and curl with prior knowledge.
#include <doctest/doctest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "command.hpp"
#include "server_process.hpp"

namespace lb::test {
namespace {

// A shell command's standard output (and its exit status), under a limit.
CommandResult run_shell(const std::string& command, int limit_s = 60) {
  const std::string out = temp_path("shell-out");
  const int status = std::system(("timeout -s KILL " + std::to_string(limit_s) + " sh -c '" +
                                  command + "' >" + out + " 2>&1 </dev/null")
                                     .c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  std::remove(out.c_str());
  return r;
}

nlohmann::json runs_of(const std::string& json) {
  const auto doc = nlohmann::json::parse(slurp(json));
  std::remove(json.c_str());
  return doc.at("runs");
}

}  // namespace

// h2c from libcurl runs in the blocking modes only: Debian 12's libcurl
// 7.88.1 fails on reuse of a prior-knowledge connection (curl#10634) and,
// after "Upgrade: h2c", now and then stalls or breaks a multiplexed
// connection (curl#11557), so bench refuses async h2c; h2load drives h2c
// against the server below.
TEST_CASE("bench http --http2: h2 in every mode on every loop, every response checked") {
  for (const auto& server_loop : compiled_loops()) {
    for (const std::string tls : {" --mode=sync,threads", " --tls --mode=all"}) {
      const bool async = tls.find("--tls") != std::string::npos;
      INFO("server loop " << server_loop << tls);
      const std::string json = temp_path("h2.json");
      // 100 transfers in flight as 100 streams: one connection per repeat.
      const auto r = run_bench(std::string("http --http2") + tls + " --server-loop=" + server_loop +
                                   " --loop=all --size=1k,200k --requests=300 "
                                   "--concurrency=100 --streams=100 --threads=4 --repeat=1 "
                                   "--warmup=0 --json=" +
                                   json,
                               180);
      INFO(r.out << r.err);
      REQUIRE(r.exit_code == 0);
      const auto runs = runs_of(json);
      CHECK(runs.size() == 2 * (2 + (async ? compiled_loops().size() : 0)));
      for (const auto& run : runs) {
        INFO(run.dump());
        CHECK(run.at("params").at("http_version") == "2");
        CHECK(run.at("summary").at("errors") == 0);
        const std::string mode = run.at("mode");
        const long connections = run.at("summary").at("connections");
        if (mode == "async") CHECK(connections == 1);
        if (mode == "sync") CHECK(connections == 1);
        // One per thread at most: the threads share the requests, so one
        // that starts after the others took all 300 opens none.
        if (mode == "threads") {
          CHECK(connections >= 1);
          CHECK(connections <= 4);
        }
      }
    }
  }
}

TEST_CASE("bench http --http2: streams per connection set the connections") {
  const std::string json = temp_path("h2-streams.json");
  const auto r = run_bench(
      "http --http2 --tls --mode=async --loop=all --size=1k --requests=400 --concurrency=40 "
      "--streams=10 "
      "--repeat=1 --warmup=0 --json=" +
      json);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  // At most concurrency / streams connections: libcurl opens another only
  // while every open one carries --streams transfers, so how many it needed
  // depends on how soon streams finish (ASan, a loaded machine: fewer).
  for (const auto& run : runs_of(json)) {
    CHECK(run.at("summary").at("connections") >= 1);
    CHECK(run.at("summary").at("connections") <= 4);
    CHECK(run.at("params").at("streams") == 10);
  }
  CHECK(run_bench("http --http2 --streams=0").exit_code == 2);
  // Async h2c would meet libcurl 7.88.1's h2c bugs: refused, saying what works.
  const auto h2c = run_bench("http --http2 --mode=async");
  CHECK(h2c.exit_code == 2);
  CHECK(h2c.err.find("use --tls") != std::string::npos);
}

TEST_CASE("bench http --http2 against a server that says GOAWAY midway: nothing lost") {
  // The server closes gracefully (a shutdown notice, a PING, then the final
  // GOAWAY), so no stream is refused in flight: every request succeeds, on
  // new connections.
  struct Case {
    bool tls;
    std::string modes;
  };
  for (const Case& c : {Case{false, "sync,threads"}, Case{true, "all"}}) {
    const bool tls = c.tls;
    INFO("tls " << tls << ", modes " << c.modes);
    BenchServer server(std::string("serve http --port 0 --close-probability 0.02") +
                       (tls ? " --tls" : ""));
    const std::string json = temp_path("h2-goaway.json");
    const auto r = run_bench("http --http2 --url=" + std::string(tls ? "https://" : "http://") +
                                 "127.0.0.1:" + std::to_string(server.port()) +
                                 " --insecure --mode=" + c.modes +
                                 " --loop=all --size=1k,200k --requests=1000 --concurrency=20 "
                                 "--streams=20 --threads=4 --repeat=1 --warmup=0 --json=" +
                                 json,
                             120);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    for (const auto& run : runs_of(json)) {
      INFO(run.dump());
      CHECK(run.at("summary").at("errors") == 0);
      CHECK(run.at("summary").at("connections").get<long>() > 3);
    }
  }
}

TEST_CASE("the HTTP/2 server under h2load and curl --http2-prior-knowledge, on every loop") {
  REQUIRE_MESSAGE(run_shell("command -v h2load").exit_code == 0,
                  "h2load missing: tools/install-deps.sh installs nghttp2-client");
  for (const auto& loop : compiled_loops()) {
    INFO("loop " << loop);
    BenchServer plain("serve http --port 0 --loop " + loop);
    BenchServer tls("serve http --port 0 --tls --loop " + loop);
    const std::string h2c = "http://127.0.0.1:" + std::to_string(plain.port());
    const std::string h2 = "https://127.0.0.1:" + std::to_string(tls.port());
    for (const std::string& url : {h2c, h2}) {
      for (const char* size : {"1k", "200k"}) {
        const auto load = run_shell("h2load -n 2000 -c 4 -m 50 " + url + "/" + size);
        INFO(load.out);
        CHECK(load.exit_code == 0);
        CHECK(load.out.find("2000 succeeded, 0 failed") != std::string::npos);
        CHECK(load.out.find("2000 2xx") != std::string::npos);
        if (url == h2) CHECK(load.out.find("Application protocol: h2") != std::string::npos);
      }
    }
    // HTTP/1.1 still, on the same port, for h2load --h1.
    const auto h1 = run_shell("h2load --h1 -n 500 -c 2 " + h2c + "/20k");
    INFO(h1.out);
    CHECK(h1.out.find("500 succeeded, 0 failed") != std::string::npos);
    // curl's prior knowledge, one request per connection (Debian's libcurl
    // cannot reuse such a connection, whatever the server).
    const auto curl = run_shell(
        "curl -s --http2-prior-knowledge -o /dev/null -w "
        "\"%{http_version} %{http_code} %{size_download}\" " +
        h2c + "/20k");
    CHECK(curl.out == "2 200 20480");
    const auto head = run_shell("curl -sI --http2-prior-knowledge " + h2c + "/bytes/5");
    INFO(head.out);
    CHECK(head.out.find("HTTP/2 200") != std::string::npos);
    CHECK(head.out.find("content-length: 5") != std::string::npos);
    const auto missing = run_shell(
        "curl -s --http2-prior-knowledge -o /dev/null -w "
        "\"%{http_code}\" " +
        h2c + "/nope");
    CHECK(missing.out == "404");
    // After all that, still serving.
    const auto after = run_shell("h2load -n 100 -c 1 " + h2c + "/1k");
    CHECK(after.out.find("100 succeeded, 0 failed") != std::string::npos);
  }
}

TEST_CASE("bench http --http2 against nginx's HTTP/2 over https: every mode and loop") {
  if (run_shell("command -v nginx || test -x /usr/sbin/nginx").exit_code != 0) {
    MESSAGE("skipped: nginx is not installed (bash tools/install-deps.sh installs nginx-light)");
    return;
  }
  const std::string dir = temp_path("nginx-h2");
  REQUIRE(run_shell("mkdir -p " + dir).exit_code == 0);
  REQUIRE(run_bench("cert --out " + dir).exit_code == 0);
  // A port of our own (nginx cannot take port 0 and say which it got),
  // below the kernel's ephemeral range (32768 and up by default), so that
  // no port-0 listener or outgoing connection of a test running beside
  // this one can hold it ("Address already in use" at 35252 in CI).
  const int port = 20000 + static_cast<int>(::getpid() % 12000);
  const std::string pidfile = dir + ".pid";
  REQUIRE(std::system(("sh -c '" + std::string(LOOPBENCH_SOURCE_DIR) +
                       "/tools/scripts/nginx-target.sh " + std::to_string(port) + " " + dir +
                       " \"\" h2 >" + dir + ".log 2>&1 & echo $! >" + pidfile + "'")
                          .c_str()) == 0);
  const std::string url = "https://localhost:" + std::to_string(port);
  bool up = false;
  for (int i = 0; i < 100 && !up; ++i) {
    up = run_shell("curl -s --http2 --cacert " + dir + "/cert.pem -o /dev/null " + url + "/1k")
             .exit_code == 0;
    if (!up) run_shell("sleep 0.05");
  }
  if (up) {
    const std::string json = temp_path("nginx-h2.json");
    const auto r = run_bench("http --http2 --url=" + url + " --cacert=" + dir +
                                 "/cert.pem --mode=all --size=all --loop=all --requests=300 "
                                 "--concurrency=20 --streams=10 --threads=4 --repeat=1 "
                                 "--warmup=0 --json=" +
                                 json,
                             180);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    for (const auto& run : runs_of(json)) {
      INFO(run.dump());
      CHECK(run.at("summary").at("errors") == 0);
      if (run.at("mode") == "async") CHECK(run.at("summary").at("connections") <= 2);
    }
  }
  run_shell("kill -QUIT $(cat " + pidfile + "); sleep 0.5");
  CHECK_MESSAGE(up, slurp(dir + ".log"));
  run_shell("rm -rf " + dir + " " + dir + ".log " + pidfile);
}

TEST_CASE("bench http --peers=h2load: the reference load generator beside ours, h1 and h2") {
  for (const std::string protocol : {"", " --http2 --tls"}) {
    INFO("protocol:" << protocol);
    const std::string json = temp_path("h2load.json");
    const auto r = run_bench("http" + protocol +
                                 " --mode=async --loop=all --size=1k,20k --requests=1000 "
                                 "--concurrency=20 --streams=10 --repeat=2 --warmup=0 "
                                 "--peers=h2load,requests --json=" +
                                 json,
                             180);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    std::size_t h2load_rows = 0;
    for (const auto& run : runs_of(json)) {
      INFO(run.dump());
      if (run.value("client", "") != "h2load") continue;
      ++h2load_rows;
      CHECK(run.at("loop") == "h2load");
      CHECK(run.at("summary").at("errors") == 0);
      CHECK(run.at("summary").at("connections") == 2 * (protocol.empty() ? 20 : 2));
      CHECK(run.at("summary").at("req_per_s").at("median").get<double>() > 0);
      CHECK(run.at("summary").at("vs_ours").contains("verdict"));
    }
    CHECK(h2load_rows == 2);
    // requests speaks HTTP/1.1 only: it runs beside h1, and is left out of h2.
    if (!protocol.empty())
      CHECK(r.err.find("peer requests speaks HTTP/1.1 only") != std::string::npos);
  }
}

}  // namespace lb::test
