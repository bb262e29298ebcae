// The HTTP version a row names is the one on the wire: for every version
// option, mode, loop and TLS setting, each row's asked version, the
// versions its responses came over (summary.http_versions) and the
// server's own count of HTTP/2 connections agree. libcurl offers "h2" by
// ALPN unless told otherwise, so an https:// row that asked nothing once
// measured HTTP/2 while it said HTTP/1.1.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "command.hpp"
#include "server_process.hpp"

namespace lb::test {
namespace {

struct VersionCase {
  std::string flags;     // the version options given to bench http
  std::string expected;  // "1.1" or "2"
  bool plain_async;      // whether async runs over http:// with these flags
};

const VersionCase kCases[] = {
    {"", "1.1", true},
    {"--http1.1", "1.1", true},
    {"--http2", "2", false},  // async h2c is refused (libcurl 7.88.1)
    {"--http2-prior-knowledge --fresh-connections", "2", true},
};

// "N connections (M HTTP/2)" from bench serve http's exit line.
std::pair<long, long> server_connections(const std::string& output) {
  std::smatch m;
  REQUIRE_MESSAGE(std::regex_search(output, m, std::regex(R"((\d+) connections \((\d+) HTTP/2\))")),
                  output);
  return {std::stol(m[1]), std::stol(m[2])};
}

void check_rows(const std::string& json, const std::string& expected, int requests) {
  const auto doc = nlohmann::json::parse(slurp(json));
  std::remove(json.c_str());
  REQUIRE(!doc.at("runs").empty());
  for (const auto& run : doc.at("runs")) {
    INFO(run.dump());
    if (run.value("peer", nlohmann::json::object()).value("status", "ok") == "not installed")
      continue;
    CHECK(run.at("summary").at("errors") == 0);
    CHECK(run.at("params").at("http_version") == expected);
    CHECK(run.at("summary").at("http_versions") == nlohmann::json{{expected, requests}});
  }
}

}  // namespace

TEST_CASE("bench http negotiates the version it names, in every mode, loop and TLS setting") {
  const std::string dir = temp_path("version-certs");
  REQUIRE(std::system(("mkdir -p " + dir).c_str()) == 0);
  REQUIRE(run_bench("cert --out=" + dir).exit_code == 0);
  for (const bool tls : {false, true}) {
    for (const auto& c : kCases) {
      INFO((tls ? "https " : "http ") << c.flags);
      BenchServer server("serve http --port 0" +
                         (tls ? " --cert " + dir + "/cert.pem --key " + dir + "/key.pem" : ""));
      const std::string url =
          (tls ? "https://localhost:" : "http://127.0.0.1:") + std::to_string(server.port());
      const std::string modes = tls || c.plain_async ? "all" : "sync,threads";
      const std::string json = temp_path("version.json");
      const auto r = run_bench("http " + c.flags + " --url=" + url +
                               (tls ? " --cacert=" + dir + "/cert.pem" : "") + " --mode=" + modes +
                               " --loop=all --size=1k,200k --requests=20 --threads=2 "
                               "--concurrency=4 --streams=4 --repeat=2 --warmup=0 --json=" +
                               json);
      INFO(r.out << r.err);
      REQUIRE(r.exit_code == 0);
      check_rows(json, c.expected, 40);
      // The table names the version too: "sync h2" rows for HTTP/2 only.
      CHECK((r.out.find(" h2 ") != std::string::npos) == (c.expected == "2"));
      const auto [connections, http2] = server_connections(server.stop());
      CHECK(connections > 0);
      CHECK(http2 == (c.expected == "2" ? connections : 0));
    }
  }
  std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("bench http --tls to the built-in server speaks HTTP/1.1 unless asked for HTTP/2") {
  for (const std::string flags : {"", "--http2"}) {
    INFO(flags);
    const std::string json = temp_path("version-builtin.json");
    const auto r = run_bench("http --tls " + flags +
                             " --mode=all --loop=all --size=1k --requests=20 --threads=2 "
                             "--concurrency=4 --repeat=1 --warmup=0 --json=" +
                             json);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    check_rows(json, flags.empty() ? "1.1" : "2", 20);
  }
}

TEST_CASE("bench http --peers negotiate the version asked over https") {
  // pycurl's libcurl offers "h2" by ALPN as ours does; the Python clients
  // report what each response came over, and h2load its protocol.
  for (const std::string flags : {"", "--http2"}) {
    INFO(flags);
    const std::string json = temp_path("version-peers.json");
    const auto r = run_bench("http --tls " + flags +
                                 " --peers=requests,httpx,pycurl,aiohttp,h2load --mode=all "
                                 "--loop=epoll --size=1k --requests=20 --threads=2 --concurrency=4 "
                                 "--repeat=1 --warmup=0 --json=" +
                                 json,
                             300);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    check_rows(json, flags.empty() ? "1.1" : "2", 20);
  }
}

TEST_CASE("bench http --url with a path: requested as given, with its method, headers and body") {
  BenchServer server(
      std::string("python3 ") + LOOPBENCH_SOURCE_DIR + "/tests/e2e/any_url_server.py",
      /*raw_command=*/true);
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/api/thing?x=1";
  const std::string json = temp_path("any-url.json");
  const auto r = run_bench("http --url='" + url +
                           "' -m PUT -H 'X-Test: yes' --body=hello --expect-status=201 "
                           "--expect-size=2 -n 5 --mode=sync --repeat=1 --warmup=0 --json=" +
                           json);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto doc = nlohmann::json::parse(slurp(json));
  std::remove(json.c_str());
  const auto& run = doc.at("runs").at(0);
  CHECK(run.at("params").at("url") == url);
  CHECK(run.at("params").at("size") == "url");
  CHECK(run.at("params").at("method") == "PUT");
  CHECK(run.at("repeats").at(0).at("requests") == 5);
  const std::string seen = server.stop();
  std::size_t n = 0;
  for (auto p = seen.find("PUT /api/thing?x=1 yes hello"); p != std::string::npos;
       p = seen.find("PUT /api/thing?x=1 yes hello", p + 1))
    ++n;
  CHECK(n == 5);
  // Without --expect-status any 2xx is good; a wrong size or status fails.
  BenchServer again(std::string("python3 ") + LOOPBENCH_SOURCE_DIR + "/tests/e2e/any_url_server.py",
                    true);
  const std::string other = "http://127.0.0.1:" + std::to_string(again.port()) + "/x";
  CHECK(run_bench("http --url=" + other + " -n 3 --mode=sync --repeat=1 --warmup=0").exit_code ==
        0);
  const auto wrong = run_bench("http --url=" + other +
                               " --expect-status=200 -n 3 --mode=sync --repeat=1 --warmup=0");
  CHECK(wrong.exit_code == 1);
  CHECK(wrong.err.find("HTTP status 201, expected 200") != std::string::npos);
  CHECK(run_bench("http --url=" + other + " --size=1k").exit_code == 2);
  CHECK(run_bench("http --url=" + other + " --peers=requests").exit_code == 2);
  CHECK(run_bench("http --url=" + other + " -H nocolon").exit_code == 2);
}

TEST_CASE("bench http: one version option at most; prior knowledge that libcurl cannot reuse") {
  const auto both = run_bench("http --http1.1 --http2");
  CHECK(both.exit_code == 2);
  CHECK(both.err.find("excludes") != std::string::npos);
  // Debian 12's libcurl 7.88.1 breaks every reused prior-knowledge
  // connection (curl#10634): rejected before anything runs, saying what works.
  const auto reuse = run_bench("http --http2-prior-knowledge --mode=sync --size=1k --requests=5");
  CHECK(reuse.exit_code == 2);
  CHECK(reuse.err.find("--fresh-connections") != std::string::npos);
}

}  // namespace lb::test
