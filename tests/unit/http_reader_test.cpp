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

// What the server refuses, by rule (RFC 9112 unless it says RFC 9110), and
// what it accepts although a stricter reading could refuse it.
TEST_CASE("request rules: each refusal with its status, whatever the split") {
  struct Case {
    const char* rule;
    std::string input;
    int status;
  };
  const std::string big(5000, 'a');
  const std::vector<Case> cases = {
      // §2.2 message format
      {"garbage request line", "HELLO\r\n\r\n", 400},
      {"bare LF line ends", "GET / HTTP/1.1\nHost: x\n\n", 400},
      {"bare LF inside", "GET / HTTP/1.1\r\nHost: x\nX: y\r\n\r\n", 400},
      {"bare CR inside", "GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n", 400},
      {"whitespace after the request line", "GET / HTTP/1.1\r\n Host: x\r\n\r\n", 400},
      {"empty lines before the request line are ignored",
       "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", 0},
      // §2.3 version
      {"no version (HTTP/0.9)", "GET /1k\r\nHost: x\r\n\r\n", 400},
      {"lower-case version", "GET / http/1.1\r\nHost: x\r\n\r\n", 400},
      {"two-digit version", "GET / HTTP/1.10\r\nHost: x\r\n\r\n", 400},
      {"HTTP/2.0 on an HTTP/1 connection", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
      {"HTTP/3.1", "GET / HTTP/3.1\r\nHost: x\r\n\r\n", 505},
      // §3 request line
      {"two spaces after the method", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"space inside the target", "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"tab as separator", "GET\t/ HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"trailing space after the version", "GET / HTTP/1.1 \r\nHost: x\r\n\r\n", 400},
      {"method not a token", "G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"unknown method (RFC 9110 §9.1)", "BREW / HTTP/1.1\r\nHost: x\r\n\r\n", 501},
      {"methods are case-sensitive", "get / HTTP/1.1\r\nHost: x\r\n\r\n", 501},
      {"request line over the limit", "GET /" + big + " HTTP/1.1\r\nHost: x\r\n\r\n", 414},
      {"endless request line", "GET /" + big, 414},
      {"control character in the target", "GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"non-ASCII byte in the target", "GET /\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      // §3.2 request target and Host
      {"no Host in HTTP/1.1", "GET / HTTP/1.1\r\n\r\n", 400},
      {"no Host in HTTP/1.0 is fine", "GET / HTTP/1.0\r\n\r\n", 0},
      {"two Host lines", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400},
      {"two Host lines in HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      {"Host with a space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400},
      {"Host with userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400},
      {"Host with two ports", "GET / HTTP/1.1\r\nHost: a:1:2\r\n\r\n", 400},
      {"Host with a path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400},
      {"Host with a bad port", "GET / HTTP/1.1\r\nHost: a:8x\r\n\r\n", 400},
      {"empty Host is valid", "GET / HTTP/1.1\r\nHost:\r\n\r\n", 0},
      {"IPv6 Host", "GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", 0},
      {"unclosed IPv6 Host", "GET / HTTP/1.1\r\nHost: [::1:80\r\n\r\n", 400},
      {"absolute-form is accepted", "GET http://a/1k HTTP/1.1\r\nHost: b\r\n\r\n", 0},
      {"asterisk-form without OPTIONS", "GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"asterisk-form with OPTIONS", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 0},
      {"authority-form without CONNECT", "GET a:80 HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"target in no form", "GET a HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"CONNECT to a path", "CONNECT /x HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      // §5 field syntax
      {"space in a header name", "GET / HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n", 400},
      {"space before the colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400},
      {"header line without a colon", "GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400},
      {"empty header name", "GET / HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n", 400},
      {"NUL in a value (RFC 9110 §5.5)",
       "GET / HTTP/1.1\r\nHost: x\r\nX: a" + std::string(1, '\0') + "b\r\n\r\n", 400},
      {"DEL in a value", "GET / HTTP/1.1\r\nHost: x\r\nX: a\x7f\r\n\r\n", 400},
      {"folded header", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", 400},
      {"folded with tab", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\tb\r\n\r\n", 400},
      {"oversized headers",
       "GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(9000, 'a') + "\r\n\r\n", 431},
      {"endless header block", "GET / HTTP/1.1\r\nX: " + std::string(9000, 'a'), 431},
      // §6 message body
      {"CL and TE (smuggling)",
       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
       "0\r\n\r\n",
       400},
      {"two Content-Lengths",
       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400},
      {"Content-Length list", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 1\r\n\r\na", 400},
      {"Content-Length not a number", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1a\r\n\r\n",
       400},
      {"negative Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400},
      {"Content-Length over --max-body",
       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1048577\r\n\r\n", 413},
      {"Content-Length at --max-body",
       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n" + std::string(1048576, 'b'),
       0},
      {"Content-Length over 64 bits",
       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413},
      {"Content-Length zeros are fine",
       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0000000000000000000000001\r\n\r\na", 0},
      {"TE not ending in chunked", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
       400},
      {"TE chunked twice",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400},
      {"TE with a coding we do not decode",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
      {"TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
      {"TE is case-insensitive",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n", 0},
      // §7 chunked coding
      {"chunk size not hex",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
      {"chunk over --max-body",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n100001\r\n", 413},
      {"chunks adding up over --max-body",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n80000\r\n" +
           std::string(0x80000, 'c') + "\r\n80001\r\n",
       413},
      {"chunk size overflowing 64 bits",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n11111111111111111\r\n",
       400},
      {"chunk without CRLF after its data",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\naXY", 400},
      {"chunk data ending in CR only",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\rX0\r\n\r\n", 400},
      {"chunks split anywhere",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
       "chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
       0},
      {"chunk extensions are ignored",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;a=b\r\nx\r\n0\r\n\r\n",
       0},
      {"chunk extensions over the limit",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;a=" +
           std::string(2000, 'e') + "\r\nx\r\n0\r\n\r\n",
       400},
      {"trailers are read past",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n\r\n", 0},
      {"trailers over the limit",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: " +
           std::string(9000, 't') + "\r\n\r\n",
       431},
      // RFC 9110 §10.1.1 Expect
      {"unknown expectation", "GET / HTTP/1.1\r\nHost: x\r\nExpect: tea\r\n\r\n", 417},
      {"100-continue",
       "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\na", 0},
  };
  for (const auto& c : cases) {
    INFO(std::string(c.rule));
    const auto whole = read_all(c.input);
    CHECK(whole.status == c.status);
    if (c.status == 0) CHECK(whole.requests.size() == 1);
    if (c.input.size() < 300) CHECK(read_every_split(c.input).status == c.status);
  }
}

TEST_CASE("a refusal says why") {
  RequestReader reader;
  CHECK(reader.feed(as_bytes("GET / HTTP/1.1\r\n\r\n"), [](const Request&) {}) == 400);
  CHECK(reader.error_reason() == "HTTP/1.1 request without Host");
}

TEST_CASE("Expect: 100-continue asks for the body once the head is read") {
  for (const bool http11 : {true, false}) {
    RequestReader reader;
    int continues = 0, requests = 0;
    reader.on_continue([&] { ++continues; });
    const std::string head = std::string("POST /1k HTTP/1.") + (http11 ? "1" : "0") +
                             "\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
    REQUIRE(reader.feed(as_bytes(head), [&](const Request&) { ++requests; }) == 0);
    // An HTTP/1.0 client's 100-continue is ignored (RFC 9110 §10.1.1).
    CHECK(continues == (http11 ? 1 : 0));
    CHECK(requests == 0);
    REQUIRE(reader.feed(as_bytes("abc"), [&](const Request&) { ++requests; }) == 0);
    CHECK(requests == 1);
  }
}

TEST_CASE("Host values by RFC 9112 §3.2 and targets by form") {
  for (const char* good : {"", "a", "a.b-c_d~e", "a:80", "a:", "127.0.0.1:8080", "[::1]",
                           "[::1]:443", "[v1.x:y]", "%41b", "a!$&'()*+,;="})
    CHECK_MESSAGE(valid_host(good), good);
  for (const char* bad :
       {"a b", "u@a", "a:1:2", "a/b", "[::1", "[::1]x", "[zz]", "a:8x", "%4", "a?b"})
    CHECK_MESSAGE(!valid_host(bad), bad);
  CHECK(origin_form("/1k?x") == "/1k?x");
  CHECK(origin_form("http://a:80/1k?x") == "/1k?x");
  CHECK(origin_form("http://a?x") == "?x");
  CHECK(origin_form("https://a") == "/");
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
