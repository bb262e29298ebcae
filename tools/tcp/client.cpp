#include "tools/tcp/client.hpp"

#include "engine/error.hpp"
#include "tools/serve/random_bytes.hpp"
#include "tools/tcp/protocol.hpp"

namespace lb {
namespace {
constexpr int kWritesInFlight = 4;
}

TcpTransfer::TcpTransfer(Loop& loop, TcpTransferSpec spec, DoneCallback done)
    : loop_(loop), spec_(std::move(spec)), done_(std::move(done)) {}

void TcpTransfer::start() {
  if (spec_.upload > 0) chunk_ = random_bytes(spec_.chunk, 7);
  watchdog_ = loop_.start_timer(spec_.idle_timeout, [this] { check_idle(); });
  loop_.connect(spec_.server,
                [this](std::error_code ec, Stream stream) { on_connected(ec, std::move(stream)); });
}

void TcpTransfer::on_connected(std::error_code ec, Stream stream) {
  if (finished_) return;
  if (ec) return finish("cannot connect to " + spec_.server.to_string() + ": " + ec.message());
  stream_ = std::move(stream);
  started_ = Clock::now();
  if (timed())
    deadline_ = loop_.start_timer(spec_.duration, [this] {
      deadline_passed_ = true;
      pump_upload();  // no more upload; FIN once the writes in flight are done
    });
  const auto header = tcp_bench::encode(
      {spec_.chunk, timed() && spec_.download ? tcp_bench::kUntilFin : spec_.download,
       timed() && spec_.upload ? tcp_bench::kUntilFin : spec_.upload});
  stream_.write({copy_slice(header)}, [this](std::error_code wec) {
    if (wec) finish("send failed: " + wec.message());
  });
  stream_.read_start(
      [this](std::error_code rec, std::span<const std::byte> data) { on_read(rec, data); });
  pump_upload();
}

void TcpTransfer::pump_upload() {
  const auto upload_left = [this] {
    return timed() ? spec_.upload > 0 && !deadline_passed_ : result_.sent < spec_.upload;
  };
  while (!shut_ && in_flight_ < kWritesInFlight && upload_left()) {
    const auto n = static_cast<std::size_t>(
        timed() ? chunk_->size()
                : std::min<std::uint64_t>(chunk_->size(), spec_.upload - result_.sent));
    result_.sent += n;
    ++in_flight_;
    stream_.write({slice_of(chunk_, 0, n)}, [this](std::error_code ec) {
      --in_flight_;
      if (ec) return finish("send failed: " + ec.message());
      pump_upload();
    });
  }
  // A timed download ends with our FIN at the deadline, as a timed upload.
  if (!shut_ && in_flight_ == 0 && !upload_left() && (!timed() || deadline_passed_)) {
    shut_ = true;
    stream_.shutdown([this](std::error_code ec) {
      if (ec) finish("shutdown failed: " + ec.message());
    });
  }
}

void TcpTransfer::on_read(std::error_code ec, std::span<const std::byte> data) {
  if (finished_) return;
  if (ec) {
    if (ec != errc::eof) return finish("receive failed: " + ec.message());
    if (timed() && spec_.download > 0) return on_timed_eof();
    if (result_.received != spec_.download || trailer_.size() != tcp_bench::kTrailerBytes)
      return finish("server closed early: got " + std::to_string(result_.received) + " of " +
                    std::to_string(spec_.download) + " bytes");
    const auto acked = tcp_bench::get_le(trailer_.data(), 8);
    const auto uploaded = timed() ? result_.sent : spec_.upload;
    if (acked != uploaded)
      return finish("server received " + std::to_string(acked) + " of " + std::to_string(uploaded) +
                    " uploaded bytes");
    result_.duration_s = std::chrono::duration<double>(Clock::now() - started_).count();
    return finish({});
  }
  if (timed() && spec_.download > 0) {
    // Everything counts until EOF says which last 16 bytes are the trailer.
    // Only the last bytes are copied: the payload is counted, not kept.
    constexpr auto kTail = static_cast<std::ptrdiff_t>(tcp_bench::kTimedTrailerBytes);
    result_.received += data.size();
    if (data.size() >= tcp_bench::kTimedTrailerBytes) {
      trailer_.assign(data.end() - kTail, data.end());
    } else {
      trailer_.insert(trailer_.end(), data.begin(), data.end());
      if (trailer_.size() > tcp_bench::kTimedTrailerBytes)
        trailer_.erase(trailer_.begin(), trailer_.end() - kTail);
    }
    return;
  }
  const std::uint64_t payload_left = spec_.download - result_.received;
  const auto payload = static_cast<std::size_t>(std::min<std::uint64_t>(payload_left, data.size()));
  result_.received += payload;
  data = data.subspan(payload);
  if (!data.empty()) {
    if (trailer_.size() + data.size() > tcp_bench::kTrailerBytes)
      return finish("server sent more than requested");
    trailer_.insert(trailer_.end(), data.begin(), data.end());
  }
}

void TcpTransfer::on_timed_eof() {
  if (trailer_.size() != tcp_bench::kTimedTrailerBytes || !shut_)
    return finish("server closed early: got " + std::to_string(result_.received) + " bytes");
  result_.received -= tcp_bench::kTimedTrailerBytes;
  const auto sent = tcp_bench::get_le(trailer_.data(), 8);
  const auto acked = tcp_bench::get_le(trailer_.data() + 8, 8);
  if (sent != result_.received)
    return finish("server sent " + std::to_string(sent) + " bytes, " +
                  std::to_string(result_.received) + " arrived");
  if (acked != result_.sent)
    return finish("server received " + std::to_string(acked) + " of " +
                  std::to_string(result_.sent) + " uploaded bytes");
  result_.duration_s = std::chrono::duration<double>(Clock::now() - started_).count();
  finish({});
}

void TcpTransfer::check_idle() {
  if (finished_) return;
  const std::uint64_t progress = result_.received + result_.sent;
  if (!stream_)
    return finish("connecting to " + spec_.server.to_string() + " timed out after " +
                  std::to_string(spec_.idle_timeout.count()) + " ms");
  if (progress == progress_at_last_check_)
    return finish("no progress for " + std::to_string(spec_.idle_timeout.count()) + " ms");
  progress_at_last_check_ = progress;
  watchdog_ = loop_.start_timer(spec_.idle_timeout, [this] { check_idle(); });
}

void TcpTransfer::finish(std::string error) {
  if (finished_) return;
  finished_ = true;
  result_.error = std::move(error);
  watchdog_.cancel();
  deadline_.cancel();
  stream_.close();
  done_(result_);
}

}  // namespace lb
