// The peer runner's pure parts: choosing peers, and turning what a peer
// process left behind (a results document, garbage, nothing) into a row.
#include <doctest/doctest.h>

#include <algorithm>

#include "tools/common/usage_error.hpp"
#include "tools/peers/runner.hpp"
#include "tools/report/matrix/plan.hpp"

using namespace lb;

namespace {

const PeerClient& peer_named(const std::string& bench, const std::string& name) {
  return *select_peers(bench, name).front();
}

RunResult http_row() {
  RunResult row;
  row.bench = "http";
  row.mode = "sync";
  row.loop = "python-threads";
  row.size_bytes = 1024;
  return row;
}

const char* const kGoodDoc = R"({"schema": "loopbench.results/1", "runs": [{
  "bench": "http", "client": "requests", "client_version": "2.28.1", "loop": "python-threads",
  "mode": "sync", "repeats": [
    {"duration_s": 0.5, "bytes": 1024000, "requests": 1000, "cpu_user_s": 0.3, "cpu_sys_s": 0.1},
    {"duration_s": 0.25, "bytes": 1024000, "requests": 1000, "cpu_user_s": 0.2, "cpu_sys_s": 0.1}],
  "summary": {"connections": 2, "errors": 0},
  "latency_ns_samples": [100000, 200000, 300000], "loop_lag_ns_samples": []}]})";

}  // namespace

TEST_CASE("peers are chosen by name per bench; unknown names are usage errors") {
  CHECK(select_peers("http", "").empty());
  CHECK(select_peers("http", "all").size() == 7);
  CHECK(select_peers("ws", "all").size() == 3);
  const auto two = select_peers("http", "aiohttp,requests,aiohttp");
  REQUIRE(two.size() == 2);
  CHECK(two[0]->name == "aiohttp");
  CHECK(two[1]->name == "requests");
  CHECK(peer_named("ws", "node-ws").library == "ws");
  CHECK_THROWS_AS(select_peers("http", "websockets"), UsageError);  // a ws peer
  CHECK_THROWS_AS(select_peers("ws", "requests,bogus"), UsageError);
  for (const auto& p : peer_catalog()) {
    INFO(p.name);
    CHECK(!p.install.empty());
    CHECK(!p.modes.empty());
  }
}

TEST_CASE("a peer's results document becomes a row with our statistics") {
  const auto row = peer_row(peer_named("http", "requests"), http_row(), 0, kGoodDoc, "");
  CHECK(row.peer_status == "ok");
  CHECK(row.client == "requests");
  CHECK(row.client_version == "2.28.1");
  REQUIRE(row.repeats.size() == 2);
  CHECK(row.req_per_s()->median == doctest::Approx(3000));  // 2000 and 4000 req/s
  CHECK(row.cpu_us_per_req()->max == doctest::Approx(400));
  REQUIRE(row.latency_ns);
  CHECK(row.latency_ns->count() == 3);
  CHECK(row.connections_known);
  CHECK(row.connections == 2);
  CHECK(row.errors == 0);
  const auto j = run_to_json(row);
  CHECK(j["client"] == "requests");
  CHECK(j["peer"]["status"] == "ok");
  CHECK(!j["summary"].contains("loop_lag_ms"));  // a blocking client has no loop
  CHECK(row_label(j) == "requests python-threads");
}

TEST_CASE("a peer that cannot count connections leaves them out") {
  std::string doc = kGoodDoc;
  const std::string connections = R"("connections": 2, )";
  doc.replace(doc.find(connections), connections.size(), "");
  const auto row = peer_row(peer_named("http", "requests"), http_row(), 0, doc, "");
  CHECK_FALSE(row.connections_known);
  CHECK_FALSE(run_to_json(row)["summary"].contains("connections"));
}

TEST_CASE("a peer that fails is a failed row with its message, never an exception") {
  const auto& peer = peer_named("http", "requests");
  SUBCASE("crashed without results: the last line of its stderr") {
    const auto row = peer_row(peer, http_row(), 1, "",
                              "Traceback (most recent call last):\n  ...\nKeyError: 'x'\n");
    CHECK(row.peer_status == "failed");
    CHECK(row.peer_note == "KeyError: 'x'");
    CHECK(row.errors == 1);
    CHECK(row.repeats.empty());
  }
  SUBCASE("garbage on stdout, silent stderr: its exit status") {
    const auto row = peer_row(peer, http_row(), 139, "{not json", "");
    CHECK(row.peer_status == "failed");
    CHECK(row.peer_note.find("139") != std::string::npos);
  }
  SUBCASE("requests failed midway: its counted repeats stay, its errors are reported") {
    std::string doc = kGoodDoc;
    const std::string no_errors = R"("errors": 0})";
    doc.replace(doc.find(no_errors), no_errors.size(),
                R"("errors": 10}, "error_messages": ["http://x/1k: ConnectionError: refused"])");
    const auto row = peer_row(peer, http_row(), 1, doc, "");
    CHECK(row.peer_status == "failed");
    CHECK(row.errors == 10);
    CHECK(row.repeats.size() == 2);
    CHECK(row.peer_note == "requests: http://x/1k: ConnectionError: refused");
  }
  SUBCASE("wrote results, then exited non-zero") {
    const auto row = peer_row(peer, http_row(), 2, kGoodDoc, "Segmentation fault\n");
    CHECK(row.peer_status == "failed");
    CHECK(row.errors == 1);
  }
}

TEST_CASE("matrix --peers adds one peers step per round to http, ws and wss only") {
  MatrixOptions o;
  o.profile = matrix_profile("quick");
  o.loops = {"epoll"};
  o.scenarios = parse_scenarios("tcp,http,wss");
  o.repeat = 1;
  o.peers = true;
  const auto steps = plan_matrix(o);
  std::vector<std::string> order;
  for (const auto& s : steps)
    order.push_back(s.scenario + ":" + s.loop);
  CHECK(order == std::vector<std::string>{"tcp:epoll", "http:epoll", "http:peers", "wss:epoll",
                                          "wss:peers"});
  const auto& args = steps[4].args;
  CHECK(std::find(args.begin(), args.end(), "--peers-only") != args.end());
  CHECK(std::find(args.begin(), args.end(), "--tls") != args.end());
  CHECK(std::find_if(args.begin(), args.end(),
                     [](const std::string& a) { return a.rfind("--loop", 0) == 0; }) == args.end());
}

TEST_CASE("ours over peer: our median over the peer's, per loop, same bench, mode and size") {
  auto row = [](const std::string& loop, const std::string& client, std::uint64_t size,
                double req_per_s) {
    RunResult r = http_row();
    r.mode = "async";
    r.loop = loop;
    r.client = client;
    r.size_bytes = size;
    r.repeats.push_back({1.0, size * 100, static_cast<std::uint64_t>(req_per_s), 0.1, 0.0});
    return r;
  };
  std::vector<RunResult> runs{row("epoll", "", 1024, 4000), row("uring", "", 1024, 5000),
                              row("epoll", "", 2048, 9999),
                              row("python-uvloop", "aiohttp", 1024, 1000)};
  RunResult missing = row("python-asyncio", "curl_cffi", 1024, 0);
  missing.repeats.clear();
  missing.peer_status = "not installed";
  runs.push_back(missing);
  add_ours_over_peer(runs);
  const auto& ratios = runs[3].summary_extra.at("ours_over_peer");
  CHECK(ratios.size() == 2);  // the 2048-byte row is another size
  CHECK(ratios.at("epoll").get<double>() == doctest::Approx(4.0));
  CHECK(ratios.at("uring").get<double>() == doctest::Approx(5.0));
  CHECK(ours_over_peer_text(runs[3]) == "epoll 4.0x uring 5.0x");
  CHECK_FALSE(runs[4].summary_extra.contains("ours_over_peer"));
  CHECK_FALSE(runs[0].summary_extra.contains("ours_over_peer"));
  CHECK(ours_over_peer_text(runs[0]).empty());
}
