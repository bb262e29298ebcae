// The peer runner's pure parts: choosing peers, and turning what a peer
// process left behind (a results document, garbage, nothing) into a row.
#include <doctest/doctest.h>

#include <algorithm>

#include "tools/options/usage_error.hpp"
#include "tools/peers/runner.hpp"
#include "tools/report/matrix/plan.hpp"
#include "tools/report/row_verdicts.hpp"

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

TEST_CASE("rows compared round by round: loops, codecs, peers against our client, server CPU") {
  // ws download rows over 6 rounds in which the machine drifts by 2x:
  // uring moves 1.3x epoll's bytes, wslay 0.8x native on the same loop,
  // the peer 0.25x our epoll native row and costs our server 4x the CPU
  // per GiB.
  const double drift[] = {1.0, 2.0, 0.6, 1.4, 0.8, 1.9};
  const double noise[] = {1.00, 1.01, 0.99, 1.005, 0.995, 1.0};
  auto row = [](const std::string& loop, const std::string& codec, const std::string& client) {
    RunResult r;
    r.bench = "ws";
    r.mode = "download";
    r.size_bytes = 1 << 30;
    r.loop = loop;
    r.codec = codec;
    r.client = client;
    return r;
  };
  std::vector<RunResult> runs{row("epoll", "native", ""), row("uring", "native", ""),
                              row("epoll", "wslay", ""), row("python-asyncio", "", "websockets")};
  const double speed[] = {1.0, 1.3, 0.8, 0.25};
  const double server_cpu[] = {0.1, 0.1, 0.1, 0.4};  // s per GiB
  for (int round = 1; round <= 6; ++round)
    for (std::size_t i = 0; i < runs.size(); ++i) {
      RepeatResult rep;
      rep.bytes = 1 << 30;
      rep.duration_s = 1.0 / (speed[i] * drift[round - 1] * noise[(round + i) % 6]);
      rep.cpu_user_s = 0.2;
      rep.server_cpu_s = server_cpu[i] * noise[(round + i + 1) % 6];
      rep.round = round;
      runs[i].repeats.push_back(rep);
    }
  RunResult missing = row("python-uvloop", "", "websockets");
  missing.peer_status = "not installed";
  runs.push_back(missing);
  const auto verdicts = judge_rows(runs, "epoll", 0.03, 1);
  const auto find = [&](const std::string& against, const std::string& label,
                        const std::string& metric) -> const Comparison* {
    for (const auto& c : verdicts.comparisons)
      if (c.against == against && c.row == label && c.metric == metric) return &c;
    return nullptr;
  };
  const auto* loop = find("loop", "uring native", "throughput");
  REQUIRE(loop);
  CHECK(loop->reference == "epoll native");
  CHECK(judgement_word(*loop) == "faster");
  CHECK(loop->interval->ratio == doctest::Approx(1.3).epsilon(0.02));
  // The wslay row against epoll's native row: a codec, not a loop.
  const auto* codec = find("codec", "epoll wslay", "throughput");
  REQUIRE(codec);
  CHECK(codec->reference == "epoll native");
  CHECK(judgement_word(*codec) == "slower");
  CHECK(codec->interval->high < 0.85);
  CHECK(find("loop", "epoll wslay", "throughput") == nullptr);  // no uring wslay row
  const auto* peer = find("client", "websockets python-asyncio", "throughput");
  REQUIRE(peer);
  CHECK(peer->reference == "epoll native");
  CHECK(judgement_word(*peer) == "slower");
  CHECK(peer->interval->ratio == doctest::Approx(0.25).epsilon(0.02));
  const auto* server = find("client", "websockets python-asyncio", "server_cpu_per_op");
  REQUIRE(server);
  CHECK(judgement_word(*server) == "more server CPU");
  CHECK(server->interval->low > 3.5);
  const auto* same_server = find("loop", "uring native", "server_cpu_per_op");
  REQUIRE(same_server);
  CHECK(judgement_word(*same_server) == "same");  // the same server CPU per GiB
  CHECK(find("client", "websockets python-uvloop", "throughput") == nullptr);

  add_vs_ours(runs, verdicts.comparisons);
  CHECK(runs[3].summary_extra.at("vs_ours").at("verdict") == "slower");
  CHECK(runs[3].summary_extra.at("vs_ours").at("reference") == "epoll native");
  CHECK(vs_ours_text(runs[3]).find("x [") != std::string::npos);
  CHECK(vs_ours_text(runs[3]).find("] slower (epoll native)") != std::string::npos);
  CHECK(vs_ours_text(runs[0]).empty());
  CHECK(vs_ours_text(runs[4]).empty());
  // The text under the table names each pair.
  const std::string text = verdicts.text();
  CHECK(text.find("websockets python-asyncio  epoll native") != std::string::npos);
  CHECK(text.find("server CPU per op") != std::string::npos);
  // Back from the results file: the same pairs and verdicts.
  const auto back = comparisons_from_json(verdicts.json());
  REQUIRE(back.size() == verdicts.comparisons.size());
  for (std::size_t i = 0; i < back.size(); ++i) {
    CHECK(back[i].against == verdicts.comparisons[i].against);
    CHECK(back[i].row == verdicts.comparisons[i].row);
    CHECK(back[i].judgement == verdicts.comparisons[i].judgement);
  }
}
