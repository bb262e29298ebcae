// `bench http --peers` and `bench ws --peers` end to end: the real peer
// scripts (tools/peers) under the real interpreters, against the built-in
// servers over real sockets (and a real TLS handshake for wss://). Peers
// whose library is missing here must show as "not installed" rows.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "server_process.hpp"

using namespace lb::test;

namespace {

bool python_has(const std::string& module) {
  return std::system(("/usr/bin/python3 -c 'import " + module + "' >/dev/null 2>&1").c_str()) == 0;
}

bool node_has_ws() {
  return std::system("env NODE_PATH=/usr/share/nodejs node -e \"require('ws')\" >/dev/null 2>&1") ==
         0;
}

nlohmann::json read_json(const std::string& path) {
  auto doc = nlohmann::json::parse(slurp(path), nullptr, false);
  REQUIRE_FALSE(doc.is_discarded());
  std::remove(path.c_str());
  return doc;
}

// Every peer row of a results file: status by "client loop mode".
std::map<std::string, nlohmann::json> peer_rows(const nlohmann::json& doc) {
  std::map<std::string, nlohmann::json> rows;
  for (const auto& run : doc.at("runs")) {
    REQUIRE(run.contains("peer"));  // --peers-only: no rows of ours
    rows[run.at("client").get<std::string>() + " " + run.at("loop").get<std::string>() + " " +
         run.at("mode").get<std::string>()] = run;
  }
  return rows;
}

void check_installed_or_missing(const std::map<std::string, nlohmann::json>& rows,
                                const std::string& key, bool installed) {
  INFO("row " << key);
  REQUIRE(rows.count(key) == 1);
  const auto& run = rows.at(key);
  if (!installed) {
    CHECK(run["peer"]["status"] == "not installed");
    CHECK(run["peer"]["note"].get<std::string>().find("install") != std::string::npos);
    return;
  }
  CHECK(run["peer"]["status"] == "ok");
  CHECK(run["summary"]["errors"] == 0);
  CHECK(run["repeats"].size() == 1);
  if (run["summary"].contains("connections")) CHECK(run["summary"]["connections"] >= 1);
}

}  // namespace

TEST_CASE("bench http --peers: each installed client runs every mode it has, with no errors") {
  const std::string json = temp_path("peers-http.json");
  const auto r = run_bench(
      "http --peers=all --peers-only --mode=all --size=20k --requests=40 "
      "--concurrency=8 --threads=4 --repeat=1 --warmup=0 --json=" +
          json,
      300);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto rows = peer_rows(read_json(json));
  const bool uvloop = python_has("uvloop");
  for (const char* mode : {"sync", "threads"}) {
    const std::string m = mode;
    check_installed_or_missing(rows, "requests python-threads " + m, python_has("requests"));
    check_installed_or_missing(rows, "httpx python-threads " + m, python_has("httpx"));
    check_installed_or_missing(rows, "pycurl python-threads " + m, python_has("pycurl"));
    check_installed_or_missing(rows, "curl_cffi python-threads " + m, python_has("curl_cffi"));
    check_installed_or_missing(rows, "tls_client python-threads " + m, python_has("tls_client"));
  }
  for (const char* client : {"httpx", "aiohttp", "curl_cffi"}) {
    check_installed_or_missing(rows, std::string(client) + " python-asyncio async",
                               python_has(client));
    check_installed_or_missing(rows, std::string(client) + " python-uvloop async",
                               python_has(client) && uvloop);
  }
  check_installed_or_missing(rows, "h2load h2load async",
                             std::system("command -v h2load >/dev/null") == 0);
  CHECK(rows.size() == 5 * 2 + 3 * 2 + 1);
  for (const auto& [key, run] : rows) {
    if (run["peer"]["status"] != "ok") continue;
    INFO(key);
    CHECK(run["repeats"][0]["requests"] == 40);
    CHECK(run["repeats"][0]["bytes"] == 40 * 20 * 1024);
    CHECK(run["summary"].contains("latency_us"));
    // Only the Python event loops probe their lag; h2load's libev loop does not.
    CHECK(run["summary"].contains("loop_lag_ms") ==
          (key.find("python-asyncio") != std::string::npos ||
           key.find("python-uvloop") != std::string::npos));
  }
  // curl_cffi and tls_client are not in Debian: the table says how to get them.
  if (!python_has("curl_cffi"))
    CHECK(r.out.find("not installed: pip install curl_cffi (not packaged in Debian)") !=
          std::string::npos);
}

TEST_CASE("bench http --tls --peers: the clients verify the built-in server's certificate") {
  const std::string json = temp_path("peers-https.json");
  const auto r = run_bench(
      "http --tls --peers=requests,httpx,pycurl,aiohttp --peers-only --mode=all --size=1k "
      "--requests=40 --concurrency=8 --threads=4 --repeat=1 --warmup=0 --json=" +
          json,
      300);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto rows = peer_rows(read_json(json));
  for (const char* mode : {"sync", "threads"})
    for (const char* client : {"requests", "httpx", "pycurl"})
      check_installed_or_missing(rows, std::string(client) + " python-threads " + mode,
                                 python_has(client));
  for (const char* client : {"httpx", "aiohttp"})
    check_installed_or_missing(rows, std::string(client) + " python-asyncio async",
                               python_has(client));
  for (const auto& [key, run] : rows) {
    if (run["peer"]["status"] != "ok") continue;
    INFO(key);
    CHECK(run["tls"] == true);
    CHECK(run["params"]["url"].get<std::string>().rfind("https://", 0) == 0);
    CHECK(run["repeats"][0]["requests"] == 40);
  }
}

TEST_CASE("bench http --peers over https: an untrusted certificate fails every peer clearly") {
  BenchServer server("serve http --port 0 --tls");
  const std::string url = "https://127.0.0.1:" + std::to_string(server.port());
  for (const char* client : {"requests", "httpx", "pycurl"}) {
    if (!python_has(client)) continue;
    INFO(client);
    const auto r = run_bench(std::string("http --url=") + url + " --peers=" + client +
                             " --peers-only --mode=sync --size=1k --requests=5 --repeat=1 "
                             "--warmup=0");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    const std::string said = r.out + r.err;
    CHECK((said.find("CERTIFICATE_VERIFY_FAILED") != std::string::npos ||
           said.find("certificate") != std::string::npos));
    const auto trusted = run_bench(std::string("http --url=") + url + " --peers=" + client +
                                   " --peers-only --mode=sync --size=1k --requests=5 --repeat=1 "
                                   "--warmup=0 --insecure");
    INFO(trusted.out << trusted.err);
    CHECK(trusted.exit_code == 0);
  }
}

TEST_CASE("bench ws --peers: every direction over ws:// and wss://, every message checked") {
  for (const bool tls : {false, true}) {
    INFO((tls ? "wss" : "ws"));
    const std::string json = temp_path("peers-ws.json");
    const auto r = run_bench(std::string("ws --peers=all --peers-only --direction=all ") +
                                 (tls ? "--tls " : "") +
                                 "--total=4MiB --chunk=64KiB --repeat=1 --warmup=0 --json=" + json,
                             300);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto rows = peer_rows(read_json(json));
    const bool uvloop = python_has("uvloop");
    for (const char* mode : {"download", "upload", "concurrent"}) {
      const std::string m = mode;
      check_installed_or_missing(rows, "websockets python-asyncio " + m, python_has("websockets"));
      check_installed_or_missing(rows, "websockets python-uvloop " + m,
                                 python_has("websockets") && uvloop);
      check_installed_or_missing(rows, "aiohttp python-asyncio " + m, python_has("aiohttp"));
      check_installed_or_missing(rows, "ws node " + m, node_has_ws());
    }
    for (const auto& [key, run] : rows) {
      if (run["peer"]["status"] != "ok") continue;
      INFO(key);
      CHECK(run["tls"] == tls);
      const std::uint64_t per_direction = 4u << 20;
      const bool both = key.find("concurrent") != std::string::npos;
      CHECK(run["repeats"][0]["bytes"] == (both ? 2 : 1) * per_direction);
      CHECK(run["summary"].contains("loop_lag_ms"));
    }
  }
}

TEST_CASE("a peer whose server dies midway is a failed row with its message") {
  if (!python_has("requests")) {
    MESSAGE("skipped: python3-requests not installed");
    return;
  }
  BenchServer server("serve http --port 0");
  std::thread killer([&server] {
    std::this_thread::sleep_for(std::chrono::seconds(2));
    server.stop();
  });
  const auto r = run_bench("http --url=http://127.0.0.1:" + std::to_string(server.port()) +
                               " --peers=requests --peers-only --mode=sync --size=1k "
                               "--requests=10000000 --repeat=1 --warmup=0 --timeout=2",
                           120);
  killer.join();
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("failed") != std::string::npos);
  CHECK(r.out.find("error: sync requests python-threads: requests: ") != std::string::npos);
  CHECK(r.err.find("bench: sync requests python-threads 1k repeat 1/1: requests: ") !=
        std::string::npos);
}

TEST_CASE("WebSocket peers whose server stops midway are failed rows, not hangs") {
  BenchServer server("serve ws --port 0");
  std::thread stopper([&server] {
    std::this_thread::sleep_for(std::chrono::seconds(2));
    server.stop();
  });
  const std::string json = temp_path("peers-ws-stop.json");
  const auto r = run_bench("ws --url=ws://127.0.0.1:" + std::to_string(server.port()) +
                               "/ws --peers=all --peers-only --direction=download --total=1000GiB "
                               "--repeat=1 --warmup=0 --timeout=3 --json=" +
                               json,
                           120);
  stopper.join();
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  // The first peer saw the server go; every later one found nobody there.
  int failed = 0;
  for (const auto& [key, run] : peer_rows(read_json(json))) {
    INFO(key);
    CHECK(run["peer"]["status"] != "ok");
    if (run["peer"]["status"] == "failed") {
      ++failed;
      CHECK(run["summary"]["errors"] >= 1);
      CHECK(!run["peer"]["note"].get<std::string>().empty());
    }
  }
  CHECK(failed >= 1);
}

TEST_CASE("--peers names are checked before anything runs") {
  const auto r = run_bench("ws --peers=requests --total=1MiB");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("no ws peer 'requests' (websockets, aiohttp, node-ws or all)") !=
        std::string::npos);
  CHECK(run_bench("http --peers-only").exit_code == 2);
}

TEST_CASE("peers run pinned like our client, from LOOPBENCH_PEERS_DIR when set") {
  if (!python_has("requests")) {
    MESSAGE("skipped: python3-requests not installed");
    return;
  }
  // A stand-in for the requests peer that reports where it may run, then fails.
  const std::string dir = temp_path("fake-peers");
  REQUIRE(std::system(("mkdir -p " + dir).c_str()) == 0);
  {
    std::ofstream fake(dir + "/http_requests.py");
    fake << "import os, sys\n"
            "print('allowed CPUs', sorted(os.sched_getaffinity(0)), file=sys.stderr)\n"
            "sys.exit(3)\n";
  }
  const auto r = run_bench(
      "http --peers=requests --peers-only --mode=sync --size=1k --requests=5 "
      "--repeat=1 --warmup=0 --client-cpu=0 --server-cpu=0",
      60, "LOOPBENCH_PEERS_DIR=" + dir);
  std::system(("rm -rf " + dir).c_str());
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(
      r.err.find("bench: sync requests python-threads 1k repeat 1/1: requests: allowed CPUs [0]") !=
      std::string::npos);
}
