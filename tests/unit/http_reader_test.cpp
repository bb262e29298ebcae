// The server's request reader, fed from memory and split at every byte.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "engine/buffer.hpp"
#include "protocols/http/request_reader.hpp"
#include "protocols/http/routes.hpp"

namespace lb::http {
namespace {

struct Outcome {
  std::vector<Request> requests;
  int status = 0;
};

// Feeds `input` in pieces of `step` bytes (0: all at once).
Outcome read_all(const std::string& input, std::size_t step = 0) {
  RequestReader reader;
  Outcome out;
  const std::size_t n = step ? step : input.size();
  for (std::size_t i = 0; i < input.size() && out.status == 0; i += n) {
    const auto piece = std::string_view(input).substr(i, n);
    out.status = reader.feed(as_bytes(piece), [&](const Request& r) { out.requests.push_back(r); });
  }
  return out;
}

// Every split point gives the same answer as one piece.
Outcome read_every_split(const std::string& input) {
  const Outcome whole = read_all(input);
  for (std::size_t step = 1; step < input.size(); ++step) {
    const Outcome split = read_all(input, step);
    INFO("step " << step);
    REQUIRE(split.status == whole.status);
    REQUIRE(split.requests.size() == whole.requests.size());
    for (std::size_t i = 0; i < split.requests.size(); ++i)
      CHECK(split.requests[i].target == whole.requests[i].target);
  }
  return whole;
}

}  // namespace

TEST_CASE("pipelined requests come out whole and in order, whatever the split") {
  const std::string input =
      "GET /1k HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /20k HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n"
      "POST /200k HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
      "GET /bytes/7 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  const auto out = read_every_split(input);
  REQUIRE(out.status == 0);
  REQUIRE(out.requests.size() == 4);
  CHECK(out.requests[0].target == "/1k");
  CHECK(out.requests[1].target == "/20k");
  CHECK(out.requests[2].method == "POST");
  CHECK(out.requests[3].target == "/bytes/7");
  CHECK(out.requests[0].keep_alive);
  CHECK_FALSE(out.requests[3].keep_alive);
}

TEST_CASE("chunked request bodies are read past, not mistaken for requests") {
  const std::string input =
      "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n0\r\n\r\n"
      "GET /1k HTTP/1.1\r\nHost: x\r\n\r\n";
  const auto out = read_every_split(input);
  REQUIRE(out.status == 0);
  REQUIRE(out.requests.size() == 2);
  CHECK(out.requests[1].target == "/1k");
}

TEST_CASE("HTTP/1.0 closes unless it asks for keep-alive") {
  auto out = read_all("GET /1k HTTP/1.0\r\n\r\n");
  REQUIRE(out.requests.size() == 1);
  CHECK_FALSE(out.requests[0].keep_alive);
  out = read_all("GET /1k HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  CHECK(out.requests[0].keep_alive);
}

TEST_CASE("malformed requests get 400, oversized headers 431") {
  struct Case {
    const char* name;
    std::string input;
    int status;
  };
  const std::vector<Case> cases = {
      {"garbage request line", "HELLO\r\n\r\n", 400},
      {"no version", "GET /1k\r\nHost: x\r\n\r\n", 400},
      {"space in header name", "GET / HTTP/1.1\r\nBad Header: x\r\n\r\n", 400},
      {"bare LF line ends", "GET / HTTP/1.1\nHost: x\n\n", 400},
      {"bare LF inside", "GET / HTTP/1.1\r\nHost: x\nX: y\r\n\r\n", 400},
      {"bare CR inside", "GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n", 400},
      {"folded header", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", 400},
      {"folded with tab", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\tb\r\n\r\n", 400},
      {"CL and TE (smuggling)",
       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
       "0\r\n\r\n",
       400},
      {"two Content-Lengths", "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
       400},
      {"oversized headers", "GET / HTTP/1.1\r\nX: " + std::string(9000, 'a') + "\r\n\r\n", 431},
      {"endless header block", "GET / HTTP/1.1\r\nX: " + std::string(9000, 'a'), 431},
  };
  for (const auto& c : cases) {
    INFO(std::string(c.name));
    CHECK(read_all(c.input).status == c.status);
    if (c.input.size() < 200) CHECK(read_every_split(c.input).status == c.status);
  }
}

TEST_CASE("after an error the reader stays failed") {
  RequestReader reader;
  int seen = 0;
  auto count = [&](const Request&) { ++seen; };
  CHECK(reader.feed(as_bytes("BAD\r\n\r\n"), count) == 400);
  CHECK(reader.feed(as_bytes("GET / HTTP/1.1\r\n\r\n"), count) == 400);
  CHECK(seen == 0);
}

TEST_CASE("routes answer sizes, /bytes/N and 404 with header and body in one list") {
  Routes routes;
  auto text = [](const BufferList& l) {
    std::string s;
    for (const auto& sl : l)
      s.append(reinterpret_cast<const char*>(sl.data()), sl.size);
    return s;
  };
  const auto r1k = routes.respond("GET", "/1k", true);
  CHECK(total_size(r1k) > 1024);
  CHECK(text(r1k).rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(text(r1k).find("Content-Length: 1024\r\n") != std::string::npos);
  CHECK(text(r1k).find("application/octet-stream") != std::string::npos);
  CHECK(text(routes.respond("GET", "/bytes/12345", true)).find("Content-Length: 12345") !=
        std::string::npos);
  CHECK(text(routes.respond("GET", "/bytes/67108865", true)).rfind("HTTP/1.1 404", 0) == 0);
  CHECK(text(routes.respond("GET", "/bytes/x", true)).rfind("HTTP/1.1 404", 0) == 0);
  CHECK(text(routes.respond("GET", "/nope", true)).rfind("HTTP/1.1 404", 0) == 0);
  CHECK(text(routes.respond("GET", "/1k", false)).find("Connection: close") != std::string::npos);
  CHECK(text(routes.respond("HEAD", "/200k", true)).find("Content-Length: 204800") !=
        std::string::npos);
  CHECK(total_size(routes.respond("HEAD", "/200k", true)) < 200);
  CHECK(text(routes.respond("DELETE", "/1k", true)).rfind("HTTP/1.1 405", 0) == 0);
  // The same bytes every time: a client can check a body against another.
  const auto a = routes.respond("GET", "/20k", true),
             b = routes.respond("GET", "/bytes/20480", true);
  CHECK(text(a).substr(text(a).size() - 20480) == text(b).substr(text(b).size() - 20480));
}

}  // namespace lb::http
