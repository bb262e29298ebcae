// HTTP end to end over TLS and against others: https to the built-in
// server on every loop, certificate trust, nginx as the server, the
// plain-C libcurl reference, and the progress line on a terminal.
#include <doctest/doctest.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "command.hpp"
#include "rate_check.hpp"
#include "raw_client.hpp"
#include "server_process.hpp"
#include "silent_listener.hpp"

#include <thread>

namespace lb::test {

TEST_CASE("bench http against nginx: every client shape fetches the same files") {
  if (std::system("command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx") != 0) {
    MESSAGE(
        "skipped: nginx is not installed (bash tools/install-deps.sh installs "
        "nginx-light)");
    return;
  }
  // A free port: bind 0, read it, close; nginx takes it a moment later.
  int probe = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(probe, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  socklen_t len = sizeof sa;
  ::getsockname(probe, reinterpret_cast<sockaddr*>(&sa), &len);
  const int port = ntohs(sa.sin_port);
  ::close(probe);
  const std::string dir = temp_path("nginx");
  const std::string pidfile = dir + ".pid";
  const std::string start = "sh -c '" + std::string(LOOPBENCH_SOURCE_DIR) +
                            "/tools/scripts/nginx-target.sh " + std::to_string(port) + " " + dir +
                            " >" + dir + ".log 2>&1 & echo $! >" + pidfile + "'";
  REQUIRE(std::system(start.c_str()) == 0);
  const pid_t pid = std::stoi(slurp(pidfile));
  bool up = false;
  for (int i = 0; i < 100 && !up; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    RawClient probe_client(port);
    up = probe_client.connected();
  }
  if (up) {
    const auto r = run_bench("http --url=http://127.0.0.1:" + std::to_string(port) +
                             " --mode=all --size=all --loop=all --requests=300 --repeat=1 "
                             "--warmup=0 --concurrency=20 --threads=4");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("server http://127.0.0.1:" + std::to_string(port)) != std::string::npos);
  }
  ::kill(pid, SIGQUIT);  // nginx: graceful shutdown
  for (int i = 0; i < 100 && ::kill(pid, 0) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (::kill(pid, 0) == 0) ::kill(pid, SIGKILL);
  CHECK_MESSAGE(up, slurp(dir + ".log"));
  std::system(("rm -rf " + dir + " " + dir + ".log " + pidfile).c_str());
}

TEST_CASE("bench http --tls: https to the built-in server in every mode on every loop, verified") {
  const std::string json = temp_path("https.json");
  const auto r = run_bench(
      "http --tls --loop=all --mode=all --size=1k,20k --requests=200 "
      "--concurrency=10 --threads=2 --repeat=1 --warmup=0 --json " +
      json);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  std::ifstream in(json);
  const auto doc = nlohmann::json::parse(in);
  std::remove(json.c_str());
  // sync and threads once each, async once per loop; two sizes each.
  CHECK(doc.at("runs").size() == 2 * (2 + LOOPBENCH_BACKEND_COUNT));
  for (const auto& run : doc.at("runs")) {
    CAPTURE(run.dump());
    CHECK(run.at("tls") == true);
    CHECK(run.at("params").at("url").get<std::string>().rfind("https://127.0.0.1:", 0) == 0);
    CHECK(run.at("summary").at("errors") == 0);
    CHECK(run.at("repeats").at(0).at("requests") == 200);
    // Connections (TLS handshakes) are reused, not one per request.
    const auto conns = run.at("summary").at("connections").get<int>();
    CHECK(conns >= 1);
    CHECK(conns <= 10);
  }
}

TEST_CASE("https: an untrusted certificate is a clear error; --insecure and --cacert trust it") {
  const std::string dir = temp_path("https-certs");
  REQUIRE(std::system(("mkdir -p " + dir).c_str()) == 0);
  REQUIRE(run_bench("cert --out=" + dir).exit_code == 0);
  BenchServer server("serve http --port 0 --cert " + dir + "/cert.pem --key " + dir + "/key.pem");
  const std::string port = std::to_string(server.port());
  const std::string common =
      " --mode=sync,async --loop=all --size=1k --requests=20 --repeat=1 "
      "--warmup=0 --timeout=5";
  const auto refused = run_bench("http --url=https://localhost:" + port + common);
  INFO(refused.out << refused.err);
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("SSL certificate problem: self-signed certificate") != std::string::npos);
  CHECK(run_bench("http --insecure --url=https://localhost:" + port + common).exit_code == 0);
  CHECK(run_bench("http --cacert=" + dir + "/cert.pem --url=https://localhost:" + port + common)
            .exit_code == 0);
  // Plain HTTP to the TLS port: no answer, a clear failure, and the
  // server counts the failed handshakes and keeps serving.
  const auto plain = run_bench("http --url=http://127.0.0.1:" + port + common);
  CHECK(plain.exit_code == 1);
  CHECK(plain.err.find("Empty reply from server") != std::string::npos);
  CHECK(run_bench("http --insecure --url=https://127.0.0.1:" + port + common).exit_code == 0);
  CHECK(run_bench("http --tls --url=https://localhost:" + port).exit_code == 2);
  const std::string said = server.stop();
  CHECK(said.find("TLS handshakes failed") != std::string::npos);
  CHECK(said.find(" 0 TLS handshakes failed") == std::string::npos);
  std::system(("rm -rf " + dir).c_str());
}

#ifdef LOOPBENCH_CURL_REFERENCE
TEST_CASE("the plain-C reference (libcurl multi on epoll) fetches and checks like bench") {
  BenchServer server("serve http --port 0");
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/1k";
  const auto run = [](const std::string& args) {
    const std::string out = temp_path("reference.out");
    const int status = std::system(
        (std::string(LOOPBENCH_CURL_REFERENCE) + " " + args + " >" + out + " 2>&1").c_str());
    return std::make_pair(WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out));
  };
  const auto [ok, said] = run(url + " 500 20 1024");
  INFO(said);
  CHECK(ok == 0);
  CHECK(said.find("requests 500 failed 0 ") != std::string::npos);
  const auto [wrong, why] = run(url + " 50 5 1000");  // the wrong body length
  CHECK(wrong == 1);
  CHECK(why.find("failed 50 ") != std::string::npos);
  CHECK(run("").first == 2);
}
#endif

TEST_CASE("bench http draws a progress line on a terminal, in every mode") {
  // script(1) (util-linux, in every Debian) runs bench on a pseudo-terminal.
  const std::string out = temp_path("http-progress.txt");
  const std::string cmd = std::string("script -qec '") + LOOPBENCH_BENCH +
                          " http --mode=sync,threads,async --size=1k --requests=40000 --loop=" +
                          LOOPBENCH_FIRST_BACKEND + " --repeat=1 --warmup=0' /dev/null >" + out +
                          " 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  const std::string text = slurp(out);
  INFO(text);
  const std::vector<std::string> modes = {"sync none 1k", "threads none 1k",
                                          std::string("async ") + LOOPBENCH_FIRST_BACKEND + " 1k"};
  for (const auto& mode : modes)
    CHECK(text.find(mode + " repeat 1/1  ") != std::string::npos);
  CHECK(text.find("/40000  ") != std::string::npos);
  CHECK(text.find(" req/s") != std::string::npos);
  std::remove(out.c_str());
}

}  // namespace lb::test
