// WebSocket end to end: `bench ws` on every loop over ws:// and wss://, our
// client and server against Python websockets, aiohttp and Node's ws (every
// direction, ws:// and wss://), a bounded receive queue, handshake garbage, TLS mismatches and
// resets; the server keeps serving throughout.
#include <doctest/doctest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "command.hpp"
#include "raw_client.hpp"
#include "server_process.hpp"

namespace lb::test {
namespace {

// WebSocket implementations nobody here wrote, each driven by a small
// script in tests/peers that speaks the /ws test protocol and checks every
// message it receives.
struct Peer {
  std::string name, probe, run, package;
};

const std::vector<Peer>& peers() {
  const std::string dir = std::string(LOOPBENCH_SOURCE_DIR) + "/tests/peers/";
  static const std::vector<Peer> all{
      {"python websockets", "/usr/bin/python3 -c 'import websockets'",
       "/usr/bin/python3 " + dir + "websockets_peer.py", "python3-websockets"},
      {"python aiohttp", "/usr/bin/python3 -c 'import aiohttp'",
       "/usr/bin/python3 " + dir + "aiohttp_peer.py", "python3-aiohttp"},
      {"node ws", "NODE_PATH=/usr/share/nodejs node -e 'require(\"ws\")'",
       "env NODE_PATH=/usr/share/nodejs node " + dir + "node_ws_peer.js", "node-ws"},
  };
  return all;
}

std::string ws_url(int port, bool tls = false) {
  return std::string(tls ? "wss" : "ws") + "://127.0.0.1:" + std::to_string(port) + "/ws";
}

std::string upgrade_request(const std::string& extra) {
  return "GET /ws?test=download&total=10&chunk=10 HTTP/1.1\r\nHost: t\r\n" + extra + "\r\n";
}

}  // namespace

TEST_CASE("bench ws: every direction, loop and codec, ws:// and wss://, results file") {
  // Both client codecs each time; the built-in server native over ws://,
  // wslay over wss://.
  for (const char* tls : {"", " --tls"}) {
    INFO("tls flag: " << std::string(tls));
    const std::string json = temp_path("ws.json");
    const std::string server_codec = *tls ? "wslay" : "native";
    const auto r = run_bench(std::string("ws --loop=all --codec=all --direction=all --total=16MiB "
                                         "--repeat=1 --warmup=1 --json=") +
                             json + tls + " --server-codec=" + server_codec);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto doc = nlohmann::json::parse(slurp(json));
    std::remove(json.c_str());
    REQUIRE(doc.at("runs").size() == 3 * 2 * LOOPBENCH_BACKEND_COUNT);
    std::map<std::string, int> per_codec;
    for (const auto& run : doc.at("runs")) {
      CHECK(run.at("bench") == "ws");
      CHECK(run.at("tls") == (std::string(tls).size() > 0));
      CHECK(run.at("params").at("server_codec") == server_codec);
      ++per_codec[run.at("codec").get<std::string>()];
      const auto& rep = run.at("repeats").at(0);
      CHECK(rep.at("bytes") == (run.at("mode") == "concurrent" ? 32ull << 20 : 16ull << 20));
      CHECK(rep.at("requests") == (run.at("mode") == "concurrent" ? 512 : 256));  // messages
      CHECK(run.at("summary").at("errors") == 0);
      CHECK(run.at("summary").contains("loop_lag_ms"));
      // The built-in server's CPU time, read from its process.
      CHECK(rep.at("server_cpu_s").get<double>() > 0);
      CHECK(run.at("summary").at("server_cpu_s_per_gib").at("median").get<double>() > 0);
    }
    CHECK(per_codec["native"] == 3 * LOOPBENCH_BACKEND_COUNT);
    CHECK(per_codec["wslay"] == 3 * LOOPBENCH_BACKEND_COUNT);
    CHECK(r.out.find("Gbit/s") != std::string::npos);
  }
}

TEST_CASE("bench ws -d: every direction and codec for a time, every byte accounted") {
  const std::string json = temp_path("ws-timed.json");
  const auto r = run_bench(
      "ws --loop=all --codec=all --direction=all -d 300ms --repeat=1 --warmup=0 --tls --json=" +
      json);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto doc = nlohmann::json::parse(slurp(json));
  std::remove(json.c_str());
  REQUIRE(doc.at("runs").size() == 3 * 2 * LOOPBENCH_BACKEND_COUNT);
  for (const auto& run : doc.at("runs")) {
    INFO(run.dump().substr(0, 800));
    CHECK(run.at("params").at("duration_s").get<double>() == doctest::Approx(0.3));
    CHECK(run.at("params").at("total_bytes").is_null());
    CHECK(run.at("size_bytes") == 0);
    CHECK(run.at("summary").at("errors") == 0);
    const auto& rep = run.at("repeats").at(0);
    // From the upgrade to the close: the time asked, then what was queued
    // at the deadline and the server's counts.
    CHECK(rep.at("duration_s").get<double>() >= 0.3);
    CHECK(rep.at("duration_s").get<double>() < 3.0);
    CHECK(rep.at("bytes").get<std::uint64_t>() > (1u << 20));
  }
  for (const auto& c : doc.value("comparisons", nlohmann::json::array()))
    CHECK(c.at("group").get<std::string>().find(" 0.3 s") != std::string::npos);
  CHECK(r.out.find("0.3 s per direction") != std::string::npos);
  CHECK(run_bench("ws -d 1s --total=1GiB").exit_code == 2);
  CHECK(run_bench("ws -d 0").exit_code == 2);
  const auto peers = run_bench("ws -d 1s --peers=all");
  CHECK(peers.exit_code == 2);
  CHECK(peers.err.find("give --total, not --duration") != std::string::npos);
}

TEST_CASE("a receive queue of one message still moves every byte, on every loop") {
  for (const char* tls : {"", " --tls"}) {
    const auto r = run_bench(std::string("ws --loop=all --codec=all --direction=all --total=4MiB "
                                         "--chunk=4KiB --recv-queue=1 --repeat=1 --warmup=0") +
                             tls);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
  }
}

TEST_CASE("interop: our client against each real peer's server, its client against ours") {
  const std::string cert_dir = temp_path("certs");
  std::system(("mkdir -p " + cert_dir).c_str());
  REQUIRE(run_bench("cert --out " + cert_dir).exit_code == 0);
  const std::string cert = cert_dir + "/cert.pem", key = cert_dir + "/key.pem";
  for (const Peer& peer : peers()) {
    INFO("peer " << peer.name);
    if (std::system((peer.probe + " >/dev/null 2>&1").c_str()) != 0) {
      MESSAGE("skipped " << peer.name << ": not installed (apt-get install " << peer.package
                         << ")");
      continue;
    }
    for (bool tls : {false, true}) {
      INFO("tls " << tls);
      {
        BenchServer theirs(peer.run + " server 0" + (tls ? " " + cert + " " + key : ""),
                           /*raw_command=*/true);
        const auto r = run_bench("ws --url=" + ws_url(theirs.port(), tls) +
                                 " --loop=all --codec=all --direction=all --total=8MiB --repeat=1 "
                                 "--warmup=0" +
                                 (tls ? " --cacert=" + cert : ""));
        INFO(r.out << r.err);
        CHECK(r.exit_code == 0);
      }
      for (const char* codec : {"native", "wslay"}) {
        INFO("our server's codec " << codec);
        BenchServer ours("serve ws --port 0 --codec " + std::string(codec) +
                         (tls ? " --cert " + cert + " --key " + key : ""));
        for (const char* direction : {"download", "upload", "concurrent"}) {
          INFO(std::string(direction));
          const std::string cmd = "timeout 60 " + peer.run + " client " + ws_url(ours.port(), tls) +
                                  " " + direction + " 8388608 65536" + (tls ? " --insecure" : "") +
                                  " >/dev/null";
          CHECK(std::system(cmd.c_str()) == 0);
        }
        CHECK(ours.stop().find("3 sessions served, 0 failed") != std::string::npos);
      }
    }
  }
  std::system(("rm -rf " + cert_dir).c_str());
}

TEST_CASE("an upload to a plain sink ends with our Close after the last byte, on both codecs") {
  if (std::system("/usr/bin/python3 -c 'import websockets' >/dev/null 2>&1") != 0) {
    MESSAGE("skipped: python3-websockets is not installed");
    return;
  }
  const std::string peer =
      "/usr/bin/python3 " + std::string(LOOPBENCH_SOURCE_DIR) + "/tests/peers/websockets_peer.py";
  for (const char* codec : {"native", "wslay"}) {
    INFO("codec " << codec);
    BenchServer sink(peer + " sink 0", /*raw_command=*/true);
    // Without our Close the sink would wait for more and the watchdog
    // (--timeout) would fail the run.
    const auto r = run_bench("ws --url=" + ws_url(sink.port()) +
                             " --loop=all --direction=upload --total=4MiB --repeat=1 --warmup=0 "
                             "--timeout=5 --codec=" +
                             codec);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    const std::string said = sink.stop();
    INFO(said);
    CHECK(said.find("sink got 4194304 bytes, close code 1000") != std::string::npos);
  }
}

TEST_CASE("bench ws -d against a server that sends no counts: a clear error, no hang") {
  if (std::system("/usr/bin/python3 -c 'import websockets' >/dev/null 2>&1") != 0) {
    MESSAGE("skipped: python3-websockets is not installed");
    return;
  }
  BenchServer sink("/usr/bin/python3 " + std::string(LOOPBENCH_SOURCE_DIR) +
                       "/tests/peers/websockets_peer.py sink 0",
                   /*raw_command=*/true);
  const auto r =
      run_bench("ws --url=" + ws_url(sink.port()) + " --loop=" + LOOPBENCH_FIRST_BACKEND +
                " --direction=upload -d 200ms --repeat=1 --warmup=0 --timeout=1");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK((r.out + r.err).find("bench ws -d needs bench's own server") != std::string::npos);
  sink.stop();
}

TEST_CASE("handshake garbage gets 400, 426 or the HTTP rules' status; the server keeps serving") {
  BenchServer server("serve ws --port 0");
  struct Case {
    std::string name, request, status;
  };
  const std::vector<Case> cases = {
      {"not an upgrade", upgrade_request(""), "HTTP/1.1 426 Upgrade Required"},
      {"version 8",
       upgrade_request("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                       "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n"),
       "HTTP/1.1 426 Upgrade Required"},
      {"no key",
       upgrade_request(
           "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"),
       "HTTP/1.1 400 Bad Request"},
      {"garbage", "HELLO\r\n\r\n", "HTTP/1.1 400 Bad Request"},
      {"headers over 8 KiB", upgrade_request("X-Big: " + std::string(9000, 'a') + "\r\n"),
       "HTTP/1.1 431 Request Header Fields Too Large"},
      {"HTTP/2.0", "GET /ws HTTP/2.0\r\nHost: a\r\n\r\n",
       "HTTP/1.1 505 HTTP Version Not Supported"},
      {"a target over 4 KiB", "GET /" + std::string(5000, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n",
       "HTTP/1.1 414 URI Too Long"},
      {"no Host", "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n", "HTTP/1.1 400 Bad Request"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    RawClient client(server.port());
    client.send(c.request);
    const auto reply = client.receive_all();
    CHECK(reply.substr(0, reply.find("\r\n")) == c.status);
    if (c.name == "version 8") CHECK(reply.find("Sec-WebSocket-Version: 13") != std::string::npos);
  }
  {
    // A peer that completes the handshake, sends half a frame and resets.
    RawClient client(server.port());
    client.send(
        upgrade_request("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                        "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"));
    CHECK_FALSE(client.receive(1).empty());       // the 101 (and the first frames)
    client.send(std::string("\x82\xfe\x10", 3));  // masked binary, 16-bit length, cut short
    client.reset();
  }
  const auto r = run_bench("ws --url=" + ws_url(server.port()) +
                           " --loop=all --direction=concurrent --total=4MiB --repeat=1 --warmup=0");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
}

TEST_CASE("TLS mismatches are clear errors; the server keeps serving") {
  BenchServer server("serve ws --port 0 --tls");
  // Plain HTTP to the TLS port: dropped, no answer.
  {
    RawClient client(server.port());
    client.send(upgrade_request(""));
    client.receive_all();
    CHECK(client.saw_eof());
  }
  // A verifying client refuses the self-signed certificate.
  const auto refused = run_bench("ws --url=" + ws_url(server.port(), true) +
                                 " --loop=all --total=1MiB --repeat=1 --warmup=0");
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("certificate verify failed: self-signed certificate") !=
        std::string::npos);
  // ws:// to a wss:// server: the TLS server answers the plain request with
  // a TLS alert, which is no HTTP.
  const auto plain = run_bench("ws --url=" + ws_url(server.port(), false) +
                               " --loop=all --total=1MiB --repeat=1 --warmup=0 --timeout=3");
  CHECK(plain.exit_code == 1);
  const auto ok = run_bench("ws --url=" + ws_url(server.port(), true) +
                            " --insecure --loop=all --direction=all --total=4MiB --repeat=1 "
                            "--warmup=0");
  INFO(ok.out << ok.err);
  CHECK(ok.exit_code == 0);
  // And wss:// to a plain server fails the handshake cleanly.
  BenchServer plain_server("serve ws --port 0");
  const auto tls_to_plain = run_bench("ws --url=" + ws_url(plain_server.port(), true) +
                                      " --insecure --loop=all --total=1MiB --repeat=1 --warmup=0");
  CHECK(tls_to_plain.exit_code == 1);
  CHECK(tls_to_plain.err.find("TLS handshake failed") != std::string::npos);
}

}  // namespace lb::test
