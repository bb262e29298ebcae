// The HTTP/2 server connection fed from memory by nghttp2's client session:
// the client's bytes split at every size, the server's answers read back as
// a client would, with HEAD, 404, 405, flow control and the h2c upgrade.
#include <doctest/doctest.h>
#include <nghttp2/nghttp2.h>

#include <map>
#include <string>
#include <vector>

#include "memory_stream.hpp"
#include "protocols/http/h2_connection.hpp"
#include "protocols/http/http_server.hpp"

namespace lb::http {
namespace {

struct Response {
  int status = 0;
  std::string content_length;
  std::size_t body = 0;
  bool closed = false;
};

// An nghttp2 client session in memory: requests out as bytes, the server's
// bytes in, responses by stream id.
class Client {
 public:
  explicit Client(std::uint32_t window = 1u << 30, const std::string* upgrade_settings = nullptr) {
    nghttp2_session_callbacks* cbs = nullptr;
    nghttp2_session_callbacks_new(&cbs);
    nghttp2_session_callbacks_set_on_header_callback(cbs, &on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, &on_data);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, &on_close);
    nghttp2_session_callbacks_set_error_callback2(cbs, &on_error);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, &on_frame);
    nghttp2_session_client_new(&session_, cbs, this);
    nghttp2_session_callbacks_del(cbs);
    const nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, window}};
    if (upgrade_settings) {
      // The HTTP/1.1 request that carried these settings is stream 1.
      nghttp2_session_upgrade2(session_,
                               reinterpret_cast<const std::uint8_t*>(upgrade_settings->data()),
                               upgrade_settings->size(), 0, nullptr);
      responses_[1];
    }
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, 1);
  }
  ~Client() { nghttp2_session_del(session_); }

  std::int32_t get(const std::string& method, const std::string& path) {
    const nghttp2_nv headers[] = {nv(":method", method), nv(":scheme", "http"),
                                  nv(":authority", "test"), nv(":path", path)};
    const std::int32_t id = nghttp2_submit_request(session_, nullptr, headers, 4, nullptr, nullptr);
    REQUIRE(id > 0);
    responses_[id];
    return id;
  }
  std::string take_output() {
    std::string out;
    const std::uint8_t* data = nullptr;
    for (ssize_t n; (n = nghttp2_session_mem_send(session_, &data)) > 0;)
      out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
    return out;
  }
  void receive(const Bytes& bytes) {
    const auto n = nghttp2_session_mem_recv(
        session_, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    REQUIRE(n == static_cast<ssize_t>(bytes.size()));
  }
  const std::map<std::int32_t, Response>& responses() const { return responses_; }

 private:
  // Points at the caller's strings: literals, or arguments that outlive the call.
  static nghttp2_nv nv(std::string_view name, std::string_view value) {
    return {reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
            reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
            value.size(), NGHTTP2_NV_FLAG_NONE};
  }
  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t namelen, const std::uint8_t* value, std::size_t valuelen,
                       std::uint8_t, void* self) {
    auto& r = static_cast<Client*>(self)->responses_[frame->hd.stream_id];
    const std::string n(reinterpret_cast<const char*>(name), namelen);
    const std::string v(reinterpret_cast<const char*>(value), valuelen);
    if (n == ":status") r.status = std::stoi(v);
    if (n == "content-length") r.content_length = v;
    return 0;
  }
  static int on_data(nghttp2_session*, std::uint8_t, std::int32_t id, const std::uint8_t*,
                     std::size_t len, void* self) {
    static_cast<Client*>(self)->responses_[id].body += len;
    return 0;
  }
  static int on_close(nghttp2_session*, std::int32_t id, std::uint32_t, void* self) {
    static_cast<Client*>(self)->responses_[id].closed = true;
    return 0;
  }

  static int on_frame(nghttp2_session*, const nghttp2_frame* frame, void*) {
    if (frame->hd.type == NGHTTP2_GOAWAY)
      FAIL_CHECK("GOAWAY " << frame->goaway.error_code << ": "
                           << std::string(reinterpret_cast<const char*>(frame->goaway.opaque_data),
                                          frame->goaway.opaque_data_len));
    return 0;
  }
  static int on_error(nghttp2_session*, int, const char* msg, std::size_t len, void*) {
    FAIL_CHECK("client session: " << std::string(msg, len));
    return 0;
  }

  nghttp2_session* session_ = nullptr;
  std::map<std::int32_t, Response> responses_;
};

struct Served {
  std::unique_ptr<Loop> loop = test::make_memory_loop();
  Routes routes;
  ServerOptions options;
  ServerStats stats;
  std::mt19937 rng{1};
  std::shared_ptr<test::MemoryStream> wire = std::make_shared<test::MemoryStream>();
  bool closed = false;
  std::unique_ptr<H2Connection> connection;

  explicit Served(const H2cUpgrade* upgrade = nullptr) {
    connection = std::make_unique<H2Connection>(
        ServingContext{*loop, routes, options, stats, rng}, Stream(wire), [this] { closed = true; },
        std::span<const std::byte>{}, upgrade);
  }
  // What the server wrote since the last call.
  Bytes take_written() {
    Bytes out = std::move(wire->written);
    wire->written.clear();
    wire->complete_writes();
    return out;
  }
};

// Delivers `input` in pieces of `step` bytes; what the client answers on
// reading the server's bytes (acks, WINDOW_UPDATEs) queues behind it.
void exchange(Served& server, Client& client, std::string input, std::size_t step) {
  for (std::size_t i = 0; i < input.size();) {
    const auto piece = std::string_view(input).substr(i, step);
    i += piece.size();  // the last piece may be short, and more may queue behind it
    REQUIRE(server.wire->deliver(as_bytes(piece)));
    client.receive(server.take_written());
    input += client.take_output();
  }
}

}  // namespace

TEST_CASE("HTTP/2 server: every route answered the same, whatever the split of the input") {
  for (std::size_t step : {1, 2, 3, 7, 9, 24, 100, 4096}) {
    INFO("pieces of " << step << " bytes");
    Served server;
    Client client;
    const auto one_k = client.get("GET", "/1k");
    const auto big = client.get("GET", "/200k");
    const auto head = client.get("HEAD", "/20k");
    const auto missing = client.get("GET", "/nope");
    const auto post = client.get("POST", "/1k");
    const auto empty = client.get("GET", "/bytes/0");
    exchange(server, client, client.take_output(), step);
    const auto& r = client.responses();
    CHECK(r.at(one_k).status == 200);
    CHECK(r.at(one_k).body == 1024);
    CHECK(r.at(one_k).content_length == "1024");
    CHECK(r.at(big).body == 200 * 1024);
    CHECK(r.at(head).status == 200);
    CHECK(r.at(head).content_length == "20480");
    CHECK(r.at(head).body == 0);
    CHECK(r.at(missing).status == 404);
    CHECK(r.at(post).status == 405);
    CHECK(r.at(empty).status == 200);
    CHECK(r.at(empty).body == 0);
    for (const auto& [id, response] : r)
      CHECK(response.closed);
    CHECK(server.stats.requests == 6);
    CHECK(server.stats.bad_requests == 0);
    CHECK_FALSE(server.wire->shut_down);
  }
}

TEST_CASE("HTTP/2 server: a client's small window holds the body back until it grows") {
  Served server;
  Client client(4096);
  const auto id = client.get("GET", "/200k");
  exchange(server, client, client.take_output(), 4096);
  // Each WINDOW_UPDATE the client sent as it consumed let more through.
  CHECK(client.responses().at(id).body == 200 * 1024);
  CHECK(client.responses().at(id).closed);
}

TEST_CASE("HTTP/2 server: a bad preface is answered with GOAWAY and the connection ends") {
  Served server;
  REQUIRE(server.wire->deliver(as_bytes(std::string_view("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n"))));
  const Bytes out = server.take_written();
  // SETTINGS, then GOAWAY (frame type 7) with PROTOCOL_ERROR.
  bool goaway = false;
  for (std::size_t at = 0; at + 9 <= out.size();) {
    const std::size_t length =
        (std::size_t(out[at]) << 16) | (std::size_t(out[at + 1]) << 8) | std::size_t(out[at + 2]);
    goaway = goaway || static_cast<int>(out[at + 3]) == 7;
    at += 9 + length;
  }
  CHECK(goaway);
  CHECK(server.wire->shut_down);
  CHECK(server.stats.bad_requests == 1);
}

TEST_CASE("h2c upgrade: the upgrading request is stream 1, answered after the client's preface") {
  CHECK(wants_h2c("h2c", "Upgrade, HTTP2-Settings", true));
  CHECK(wants_h2c("websocket, H2C", "keep-alive,upgrade,http2-settings", true));
  CHECK_FALSE(wants_h2c("h2c", "Upgrade", true));
  CHECK_FALSE(wants_h2c("h2", "Upgrade, HTTP2-Settings", true));
  CHECK_FALSE(wants_h2c("h2c", "Upgrade, HTTP2-Settings", false));

  // SETTINGS_MAX_CONCURRENT_STREAMS = 100, as curl sends it, base64url.
  const std::string payload("\x00\x03\x00\x00\x00\x64", 6);
  const H2cUpgrade upgrade{"GET", "/20k", "AAMAAABk"};
  Served server(&upgrade);
  // Nothing of stream 1 goes out before the client's preface.
  const Bytes before = server.take_written();
  Client client(1u << 30, &payload);
  client.receive(before);
  CHECK(client.responses().at(1).status == 0);
  exchange(server, client, client.take_output(), 5);
  CHECK(client.responses().at(1).status == 200);
  CHECK(client.responses().at(1).body == 20480);

  const H2cUpgrade broken{"GET", "/20k", "not*base64"};
  Served refused(&broken);
  CHECK(refused.stats.bad_requests == 1);
  CHECK(refused.wire->shut_down);
}

}  // namespace lb::http
