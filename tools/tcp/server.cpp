#include "tools/tcp/server.hpp"

#include <cstring>
#include <system_error>

#include "engine/error.hpp"
#include "tools/serve/random_bytes.hpp"
#include "tools/tcp/protocol.hpp"

namespace lb {

// One client connection: read the header, stream the download, count the
// upload, send the trailer once both are done.
class TcpBenchServer::Session {
 public:
  Session(TcpBenchServer& server, std::uint64_t id, Stream stream)
      : server_(server), id_(id), stream_(std::move(stream)) {
    stream_.read_start(
        [this](std::error_code ec, std::span<const std::byte> data) { on_read(ec, data); });
  }

 private:
  static constexpr int kWritesInFlight = 4;

  void on_read(std::error_code ec, std::span<const std::byte> data) {
    if (ec) {
      if (ec != errc::eof || !header_) return fail();
      upload_done_ = true;
      if (timed_) return pump();  // the client's FIN ends a timed download
      maybe_finish();
      return;
    }
    if (!header_) {
      const std::size_t take = std::min(data.size(), tcp_bench::kHeaderBytes - header_fill_);
      std::memcpy(header_bytes_.data() + header_fill_, data.data(), take);
      header_fill_ += take;
      data = data.subspan(take);
      if (header_fill_ < tcp_bench::kHeaderBytes) return;
      header_ = tcp_bench::decode(header_bytes_);
      if (!header_) return fail();
      chunk_ = server_.chunk_of(header_->chunk);
      timed_ = header_->download == tcp_bench::kUntilFin;
      pump();
    }
    received_ += data.size();
  }

  bool download_left() const { return timed_ ? !upload_done_ : sent_ < header_->download; }

  void pump() {
    while (in_flight_ < kWritesInFlight && download_left()) {
      const auto n = static_cast<std::size_t>(
          timed_ ? chunk_->size()
                 : std::min<std::uint64_t>(chunk_->size(), header_->download - sent_));
      sent_ += n;
      ++in_flight_;
      stream_.write({slice_of(chunk_, 0, n)}, [this](std::error_code ec) {
        --in_flight_;
        if (ec) return fail();
        pump();
      });
    }
    if (in_flight_ == 0 && !download_left() && !download_done_) {
      download_done_ = true;
      maybe_finish();
    }
  }

  void maybe_finish() {
    if (!upload_done_ || !download_done_ || trailer_sent_) return;
    trailer_sent_ = true;
    auto trailer =
        std::make_shared<Bytes>(timed_ ? tcp_bench::kTimedTrailerBytes : tcp_bench::kTrailerBytes);
    if (timed_) {
      tcp_bench::put_le(trailer->data(), sent_, 8);
      tcp_bench::put_le(trailer->data() + 8, received_, 8);
    } else {
      tcp_bench::put_le(trailer->data(), received_, 8);
    }
    stream_.write({slice_of(trailer)}, [this](std::error_code ec) {
      if (ec) return fail();
    });
    stream_.shutdown([this](std::error_code ec) { server_.finish(id_, !ec); });
  }

  void fail() { server_.finish(id_, false); }

  TcpBenchServer& server_;
  std::uint64_t id_;
  Stream stream_;
  std::array<std::byte, tcp_bench::kHeaderBytes> header_bytes_{};
  std::size_t header_fill_ = 0;
  std::optional<tcp_bench::Header> header_;
  SharedBytes chunk_;
  std::uint64_t sent_ = 0;
  std::uint64_t received_ = 0;
  int in_flight_ = 0;
  bool upload_done_ = false;
  bool download_done_ = false;
  bool trailer_sent_ = false;
  bool timed_ = false;  // download until the client's FIN (protocol.hpp)
};

TcpBenchServer::TcpBenchServer(Loop& loop) : loop_(loop), sessions_(loop) {}
TcpBenchServer::~TcpBenchServer() = default;

void TcpBenchServer::listen(const Endpoint& at, bool reuse_port) {
  ListenOptions options;
  options.reuse_port = reuse_port;
  listener_ = listen_or_throw(loop_, at, options, [this](Stream s) {
    const auto id = sessions_.next_id();
    sessions_.add(id, std::make_unique<Session>(*this, id, std::move(s)));
  });
}

void TcpBenchServer::finish(std::uint64_t id, bool ok) {
  if (sessions_.remove(id)) ok ? ++finished_ : ++failed_;
}

SharedBytes TcpBenchServer::chunk_of(std::uint32_t size) {
  if (chunks_.size() >= 16 && !chunks_.contains(size)) chunks_.clear();  // bound memory
  auto& chunk = chunks_[size];
  if (!chunk) chunk = random_bytes(size);
  return chunk;
}

}  // namespace lb
