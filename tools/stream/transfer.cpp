#include "tools/stream/transfer.hpp"

#include <nlohmann/json.hpp>

#include "tools/options/request_target.hpp"
#include "tools/process/cpu.hpp"

namespace lb {
namespace {

using nlohmann::json;

// A JSON object from a text message, or null when it is not one.
json parse_object(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : json();
}

// What both server handlers share: ending with a close code (1000 done,
// 1011 failed) after every queued message.
class StreamHandler : public WsHandler {
 protected:
  void close_when_written(std::uint16_t code) {
    if (close_code_) return;
    close_code_ = code;
    session_->close(code, code == 1000 ? "done" : "failed");
  }
  void fail(const std::string& why) {
    if (close_code_) return;
    session_->send_text(json{{"error", why}}.dump());
    close_when_written(1011);
  }
  ws::Session* session_ = nullptr;
  std::uint16_t close_code_ = 0;
};

class DownloadHandler final : public StreamHandler {
 public:
  DownloadHandler(StreamServerConfig config, bool drop_cache)
      : config_(std::move(config)), drop_cache_(drop_cache) {}

  void start(ws::Session& session) override {
    session_ = &session;
    try {
      reader_ = std::make_unique<DataFileReader>(config_.file);
      const std::string hash = read_recorded_hash(config_.file);
      if (drop_cache_) reader_->drop_cache();
      session.send_text(json{
          {"size", reader_->size()}, {"sha256", hash}, {"cached", reader_->resident_fraction()}}
                            .dump());
      sender_.emplace(*reader_, config_.truncate_at.value_or(UINT64_MAX));
    } catch (const std::exception& e) {
      return fail(e.what());
    }
    pump();
  }
  void on_data(std::span<const std::byte>, bool) override {}
  void on_writable() override { pump(); }
  bool finished(std::uint16_t, std::error_code ec) override { return close_code_ == 1000 && !ec; }

 private:
  void pump() {
    if (close_code_ || !sender_) return;
    try {
      if (!sender_->pump(*session_, sent_)) return;
    } catch (const DataFileError& e) {
      return fail(e.what());
    }
    const json trailer{{"read_s", reader_->read_seconds()}, {"peak_rss_kib", peak_rss_kib()}};
    if (session_->send_text(trailer.dump())) close_when_written(1000);
  }

  StreamServerConfig config_;
  bool drop_cache_;
  std::unique_ptr<DataFileReader> reader_;
  std::optional<FileSender> sender_;
  std::uint64_t sent_ = 0;
};

class UploadHandler final : public StreamHandler {
 public:
  explicit UploadHandler(StreamServerConfig config) : config_(std::move(config)) {}

  void start(ws::Session& session) override {
    session_ = &session;
    try {
      expected_ = read_recorded_hash(config_.file);
    } catch (const DataFileError& e) {
      fail(e.what());
    }
  }
  bool wants_text() const override { return true; }
  void on_text(std::string_view text) override {
    const json header = parse_object(text);
    if (header_seen_ || !header.contains("size") || !header.contains("sha256") ||
        !header["size"].is_number_unsigned() || !header["sha256"].is_string())
      return fail("expected one header {\"size\":N,\"sha256\":HEX} before the data");
    header_seen_ = true;
    size_ = header["size"].get<std::uint64_t>();
    declared_ = header["sha256"].get<std::string>();
    if (size_ == 0) verdict();
  }
  void on_data(std::span<const std::byte> piece, bool last) override {
    if (close_code_) return;
    if (!header_seen_) return fail("data before the header");
    sha_.update(piece);
    bytes_ += piece.size();
    if (bytes_ > size_) return fail("more than the announced " + std::to_string(size_) + " bytes");
    if (last && bytes_ == size_) verdict();
  }
  void on_writable() override {}
  bool finished(std::uint16_t, std::error_code ec) override {
    return verified_ && close_code_ == 1000 && !ec;
  }

 private:
  void verdict() {
    const std::string got = sha_.hex_digest();
    verified_ = got == expected_ && got == declared_;
    session_->send_text(json{
        {"verified", verified_},
        {"sha256", got},
        {"expected", expected_},
        {"declared", declared_},
        {"bytes", bytes_},
        {"hash_s", sha_.seconds()},
        {"peak_rss_kib",
         peak_rss_kib()}}.dump());
    close_when_written(1000);
  }

  StreamServerConfig config_;
  std::string expected_, declared_;
  bool header_seen_ = false;
  std::uint64_t size_ = 0, bytes_ = 0;
  Sha256 sha_;
  bool verified_ = false;
};

}  // namespace

FileSender::FileSender(DataFileReader& reader, std::uint64_t limit)
    : reader_(reader), limit_(std::min(limit, reader.size())) {}

std::shared_ptr<Bytes> FileSender::free_piece() {
  for (const auto& p : pieces_)
    if (p.use_count() == 1) return p;  // no queued write holds it any more
  pieces_.push_back(std::make_shared<Bytes>(kStreamPiece));
  return pieces_.back();
}

void FileSender::preallocate(std::size_t pieces) {
  while (pieces_.size() < pieces)
    pieces_.push_back(std::make_shared<Bytes>(kStreamPiece));  // zeroed: touched
}

bool FileSender::pump(ws::Session& session, std::uint64_t& sent) {
  TurnBudget& budget = session.loop().turn_budget();
  while (sent < limit_) {
    // At least one piece a turn, even in a turn whose reads spent the
    // budget; once it is spent, none more this turn, however many write
    // completions call us.
    if (!share_.may_go_on(budget)) {
      session.writable_next_turn();
      return false;
    }
    if (pending_ == 0) {
      piece_ = free_piece();
      pending_ = reader_.read_next(
          {piece_->data(),
           static_cast<std::size_t>(std::min<std::uint64_t>(piece_->size(), limit_ - sent))});
    }
    if (!session.send(slice_of(piece_, 0, pending_))) return false;
    share_.stepped(budget);
    sent += pending_;
    pending_ = 0;
    piece_.reset();
  }
  return true;
}

WsRoute stream_route(StreamServerConfig config) {
  return [config](const std::string& target, std::string& why) -> std::unique_ptr<WsHandler> {
    const RequestTarget t = split_target(target);
    if (t.path != "/stream") {
      why = "no stream endpoint at " + t.path;
      return nullptr;
    }
    std::string test = "download";
    bool drop_cache = false;
    for (const auto& [key, value] : t.query) {
      if (key == "test") test = value;
      if (key == "drop_cache") drop_cache = value == "1";
    }
    if (test == "download") return std::make_unique<DownloadHandler>(config, drop_cache);
    if (test == "upload") return std::make_unique<UploadHandler>(config);
    why = "test must be download or upload";
    return nullptr;
  };
}

// ---------------------------------------------------------------- client

StreamClientTransfer::StreamClientTransfer(Loop& loop, StreamClientSpec spec, Done done)
    : loop_(loop), spec_(std::move(spec)), done_(std::move(done)) {}
StreamClientTransfer::~StreamClientTransfer() = default;

void StreamClientTransfer::start() {
  watchdog_ = loop_.start_timer(spec_.idle_timeout, [this] { check_idle(); });
  const bool upload = spec_.direction == "upload";
  if (upload) {
    try {
      reader_ = std::make_unique<DataFileReader>(spec_.file);
      result_.expected = read_recorded_hash(spec_.file);
      result_.size = reader_->size();
      if (spec_.drop_cache) reader_->drop_cache();
      result_.cached_fraction = reader_->resident_fraction();
      sender_.emplace(*reader_, reader_->size());
      sender_->preallocate(spec_.options.send_queue + 1);
    } catch (const DataFileError& e) {
      // Reported from the loop, as every other outcome is.
      loop_.defer([this, why = std::string(e.what())] { finish(why); });
      return;
    }
  }
  auto connect = spec_.connect;
  connect.target +=
      "?test=" + spec_.direction + (spec_.drop_cache && !upload ? "&drop_cache=1" : "");
  connector_ = std::make_unique<WsConnector>(
      loop_, connect, [this](std::string error, Stream stream, std::string leftover) {
        if (!error.empty()) return finish(std::move(error));
        on_upgraded(std::move(stream), leftover);
      });
  connector_->start();
}

void StreamClientTransfer::on_upgraded(Stream stream, const std::string& leftover) {
  started_ = Clock::now();
  session_ = ws::make_session(
      loop_, std::move(stream), ws::Role::client, spec_.options,
      ws::SessionHandlers{
          [this](std::span<const std::byte> piece, bool last) { on_data(piece, last); },
          [this] { pump(); },
          [this](std::uint16_t code, std::error_code ec) { on_closed(code, ec); },
          [this](std::string_view text) { on_text(text); }});
  session_->start(as_bytes(leftover));
  if (reader_) {
    session_->send_text(json{{"size", result_.size}, {"sha256", result_.expected}}.dump());
    pump();
  }
}

void StreamClientTransfer::pump() {
  if (!sender_ || finished_ || !session_) return;
  try {
    sender_->pump(*session_, result_.bytes);
  } catch (const DataFileError& e) {
    finish(e.what());
  }
}

void StreamClientTransfer::on_data(std::span<const std::byte> piece, bool last) {
  if (finished_) return;
  if (reader_) return finish("the server sent data during an upload");
  if (!header_seen_) return finish("the server sent data before its header");
  sha_.update(piece);
  result_.bytes += piece.size();
  if (last) ++result_.messages;
  if (result_.bytes > result_.size)
    finish("the server sent more than the announced " + std::to_string(result_.size) + " bytes");
}

void StreamClientTransfer::on_text(std::string_view text) {
  if (finished_) return;
  const json j = parse_object(text);
  if (j.is_null()) return finish("the server sent a text message that is not JSON");
  if (j.contains("error")) {
    peer_error_ = j["error"].is_string() ? j["error"].get<std::string>() : j["error"].dump();
    return;
  }
  if (!reader_ && !header_seen_) {  // download header
    header_seen_ = true;
    result_.size = j.value("size", std::uint64_t{0});
    result_.expected = j.value("sha256", std::string());
    result_.cached_fraction = j.value("cached", -1.0);
    return;
  }
  if (!reader_) {  // download trailer
    result_.read_s = j.value("read_s", 0.0);
    result_.server_peak_rss_kib = j.value("peak_rss_kib", std::uint64_t{0});
    return;
  }
  verdict_seen_ = true;  // upload verdict
  result_.verified = j.value("verified", false);
  result_.sha256 = j.value("sha256", std::string());
  result_.hash_s = j.value("hash_s", 0.0);
  result_.server_peak_rss_kib = j.value("peak_rss_kib", std::uint64_t{0});
  if (j.value("bytes", std::uint64_t{0}) != result_.bytes)
    peer_error_ = "the server counted " + std::to_string(j.value("bytes", std::uint64_t{0})) +
                  " bytes, we sent " + std::to_string(result_.bytes);
}

void StreamClientTransfer::on_closed(std::uint16_t code, std::error_code ec) {
  result_.duration_s = std::chrono::duration<double>(Clock::now() - started_).count();
  if (finished_) return;
  if (!peer_error_.empty()) return finish("server: " + peer_error_);
  const std::string ended = "close code " + std::to_string(code) + (ec ? ", " + ec.message() : "");
  if (reader_) {
    result_.read_s = reader_->read_seconds();
    if (!verdict_seen_)
      return finish("the connection ended before the server's verdict (" + ended + ") after " +
                    std::to_string(result_.bytes) + " of " + std::to_string(result_.size) +
                    " bytes");
    if (!result_.verified)
      return finish("hash mismatch: the server's hash of what arrived is " + result_.sha256 +
                    ", the file's is " + result_.expected);
    return finish({});
  }
  if (!header_seen_)
    return finish("the connection ended before the server's header (" + ended + ")");
  if (ec || code != 1000)
    return finish("connection dropped after " + std::to_string(result_.bytes) + " of " +
                  std::to_string(result_.size) + " bytes (" + ended + ")");
  if (result_.bytes != result_.size)
    return finish("short stream: " + std::to_string(result_.bytes) + " of " +
                  std::to_string(result_.size) + " bytes arrived");
  result_.sha256 = sha_.hex_digest();
  result_.hash_s = sha_.seconds();
  if (result_.sha256 != result_.expected)
    return finish("hash mismatch: what arrived hashes to " + result_.sha256 +
                  ", the server's file to " + result_.expected);
  result_.verified = true;
  finish({});
}

void StreamClientTransfer::check_idle() {
  if (finished_) return;
  if (result_.bytes == progress_at_check_)
    return finish("no progress for " + std::to_string(spec_.idle_timeout.count()) + " ms");
  progress_at_check_ = result_.bytes;
  watchdog_ = loop_.start_timer(spec_.idle_timeout, [this] { check_idle(); });
}

// The session may be what called us: release it on the next turn.
void StreamClientTransfer::finish(std::string error) {
  if (finished_) return;
  finished_ = true;
  result_.error = std::move(error);
  if (!result_.error.empty()) result_.verified = false;
  watchdog_.cancel();
  std::shared_ptr<ws::Session> dying = std::move(session_);
  std::shared_ptr<WsConnector> connector = std::move(connector_);
  loop_.defer([dying, connector] {});
  done_(result_);
}

}  // namespace lb
