#include "tools/http/clients.hpp"

#include <array>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "engine/lag_probe.hpp"
#include "protocols/http/curl_handles.hpp"
#include "protocols/http/curl_multi.hpp"
#include "tools/process/interruption.hpp"

namespace lb {
namespace {

constexpr std::size_t kKeptErrors = 5;
// A run stops issuing requests after this many failures: a dead server
// costs seconds, not requests x timeout.
constexpr std::uint64_t kMaxFailures = 10;

struct SlistFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using HeaderList = std::unique_ptr<curl_slist, SlistFree>;

// One reusable easy handle and what its current transfer received.
struct Transfer {
  http::EasyHandle easy = http::make_easy();
  HeaderList headers;  // CURLOPT_HTTPHEADER's, alive as long as the handle
  std::uint64_t received = 0;
  Clock::time_point intended{}, started{};    // differ in open loop only
  int index = -1;                             // async: which request this is
  std::array<char, CURL_ERROR_SIZE> error{};  // libcurl's detail ("SSL certificate problem: ...")
};

long curl_version_option(HttpVersion v) {
  switch (v) {
    case HttpVersion::http1_1:
      return CURL_HTTP_VERSION_1_1;
    case HttpVersion::http2:
      return CURL_HTTP_VERSION_2_0;
    case HttpVersion::http2_prior_knowledge:
      return CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
  }
  return CURL_HTTP_VERSION_1_1;
}

// CURLINFO_HTTP_VERSION's answer as rows name it; empty when no response came.
std::string negotiated_name(long curl_version) {
  switch (curl_version) {
    case CURL_HTTP_VERSION_1_0:
      return "1.0";
    case CURL_HTTP_VERSION_1_1:
      return "1.1";
    case CURL_HTTP_VERSION_2_0:
      return "2";
    case CURL_HTTP_VERSION_3:
      return "3";
    default:
      return "";
  }
}

std::size_t count_body(char*, std::size_t size, std::size_t n, void* userp) {
  static_cast<Transfer*>(userp)->received += size * n;
  return size * n;
}

void configure(Transfer& t, const HttpRunSpec& spec) {
  CURL* e = t.easy.get();
  http::set_easy_option(e, CURLOPT_URL, spec.url.c_str());
  http::set_easy_option(e, CURLOPT_WRITEFUNCTION, &count_body);
  http::set_easy_option(e, CURLOPT_WRITEDATA, &t);
  http::set_easy_option(e, CURLOPT_TIMEOUT_MS, static_cast<long>(spec.timeout.count()));
  http::set_easy_option(e, CURLOPT_NOSIGNAL, 1L);
  http::set_easy_option(e, CURLOPT_TCP_NODELAY, 1L);
  if (spec.fresh_connections) {
    http::set_easy_option(e, CURLOPT_FRESH_CONNECT, 1L);
    http::set_easy_option(e, CURLOPT_FORBID_REUSE, 1L);
  }
  http::set_easy_option(e, CURLOPT_ERRORBUFFER, t.error.data());
  for (const auto& line : spec.headers) {
    curl_slist* grown = curl_slist_append(t.headers.get(), line.c_str());
    if (!grown) throw std::runtime_error("out of memory for --header");
    (void)t.headers.release();
    t.headers.reset(grown);
  }
  if (t.headers) http::set_easy_option(e, CURLOPT_HTTPHEADER, t.headers.get());
  if (!spec.body.empty()) {
    http::set_easy_option(e, CURLOPT_POSTFIELDSIZE_LARGE,
                          static_cast<curl_off_t>(spec.body.size()));
    http::set_easy_option(e, CURLOPT_POSTFIELDS, spec.body.data());  // the spec outlives the run
  }
  if (!spec.method.empty()) http::set_easy_option(e, CURLOPT_CUSTOMREQUEST, spec.method.c_str());
  // Always set: libcurl's default (CURL_HTTP_VERSION_2TLS) offers "h2" by
  // ALPN, so an https:// run that asked nothing would measure HTTP/2.
  if (curl_easy_setopt(e, CURLOPT_HTTP_VERSION, curl_version_option(spec.version)) != CURLE_OK)
    throw std::runtime_error("this libcurl cannot speak HTTP/" + version_name(spec.version));
  if (is_http2(spec.version)) {
    if (!spec.fresh_connections) http::set_easy_option(e, CURLOPT_PIPEWAIT, 1L);
    // With its default 16 KiB receive buffer, libcurl 7.88.1 leaves h2c data
    // it has read waiting until its next poll timeout: each 20k response of
    // a reused connection took one second. The curl tool's 100 KiB does not.
    http::set_easy_option(e, CURLOPT_BUFFERSIZE, 102400L);
  }
  if (!spec.ca_pem.empty()) {
    curl_blob blob{const_cast<char*>(spec.ca_pem.data()), spec.ca_pem.size(), CURL_BLOB_COPY};
    http::set_easy_option(e, CURLOPT_CAINFO_BLOB, &blob);
  }
  if (!spec.ca_file.empty()) http::set_easy_option(e, CURLOPT_CAINFO, spec.ca_file.c_str());
  if (spec.insecure) {
    http::set_easy_option(e, CURLOPT_SSL_VERIFYPEER, 0L);
    http::set_easy_option(e, CURLOPT_SSL_VERIFYHOST, 0L);
  }
}

std::uint64_t nanoseconds_between(Clock::time_point from, Clock::time_point to) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count());
}

// Records the outcome of one finished transfer into `r`.
void account(HttpRunResult& r, Transfer& t, CURLcode code, const HttpRunSpec& spec) {
  long status = 0, connects = 0, version = 0;
  curl_easy_getinfo(t.easy.get(), CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(t.easy.get(), CURLINFO_NUM_CONNECTS, &connects);
  curl_easy_getinfo(t.easy.get(), CURLINFO_HTTP_VERSION, &version);
  r.connections += static_cast<std::uint64_t>(connects);
  if (spec.answered) spec.answered->fetch_add(1, std::memory_order_relaxed);
  const std::string negotiated = negotiated_name(version);
  if (!negotiated.empty()) ++r.negotiated[negotiated];
  const std::string asked = version_name(spec.version);
  std::string error;
  if (code == CURLE_OPERATION_TIMEDOUT) r.timed_out = true;
  if (code != CURLE_OK)
    // libcurl's kind of failure, then its detail when it has one.
    error = std::string(curl_easy_strerror(code)) +
            (t.error[0] ? std::string(": ") + t.error.data() : std::string());
  else if (negotiated != asked)
    error = "the server answered over HTTP/" + negotiated + ", not HTTP/" + asked +
            (is_http2(spec.version) ? " (no \"h2\" by ALPN, or no h2c?)" : "");
  else if (spec.expected_status ? status != *spec.expected_status
           : spec.own_route     ? status != 200
                                : status < 200 || status > 299)
    error = "HTTP status " + std::to_string(status) +
            (spec.expected_status ? ", expected " + std::to_string(*spec.expected_status) : "");
  else if (spec.expected_bytes && t.received != *spec.expected_bytes)
    error = "body of " + std::to_string(t.received) + " bytes, expected " +
            std::to_string(*spec.expected_bytes);
  if (error.empty()) {
    ++r.ok;
    r.bytes += t.received;
    const auto now = Clock::now();
    r.latency_ns.record(nanoseconds_between(t.intended, now));
    r.service_ns.record(nanoseconds_between(t.started, now));
  } else {
    ++r.failed;
    if (r.errors.size() < kKeptErrors) r.errors.push_back(spec.url + ": " + error);
  }
  t.received = 0;
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Whether request number `issued` (0-based) of a run that started at
// `t0` goes out: within the count, and within --duration when one is set.
bool wants_request(const HttpRunSpec& spec, long long issued, Clock::time_point t0) {
  if (issued >= spec.requests) return false;
  return spec.duration <= spec.duration.zero() || Clock::now() - t0 < spec.duration;
}

// The async client: `concurrency` reused transfers on one curl multi.
// Closed loop, a transfer that finishes starts the next request at once;
// open loop, each transfer waits for its own next slot.
class AsyncRun {
 public:
  AsyncRun(Loop& loop, const HttpRunSpec& spec)
      : loop_(loop),
        spec_(spec),
        transfers_(static_cast<std::size_t>(std::min(spec.concurrency, spec.requests))),
        slot_timers_(transfers_.size()),
        lag_(loop) {
    multi_ = std::make_unique<http::CurlMulti>(
        loop, std::max<long>(static_cast<long>(transfers_.size()), 1),
        [this](CURL* easy, CURLcode code) { on_done(easy, code); });
    if (is_http2(spec.version) && !spec.fresh_connections)
      multi_->multiplex(async_connections(spec), spec.streams);
    for (auto& t : transfers_) {
      configure(t, spec);
      http::set_easy_option(t.easy.get(), CURLOPT_PRIVATE, &t);
      multi_->adopt(t.easy.get());
    }
  }

  HttpRunResult result() {
    const auto t0 = t0_ = Clock::now();
    lag_.start();
    for (std::size_t i = 0; i < transfers_.size(); ++i) {
      if (!spec_.pacing.open()) {
        if (issuing()) issue(i, Clock::now());
        continue;
      }
      schedules_.emplace_back(spec_.pacing, i, transfers_.size(), t0);
      arm(i);
    }
    // A run for a time ends at its deadline once nothing is in flight,
    // although idle open-loop transfers still wait for their next slot.
    if (spec_.duration > spec_.duration.zero())
      deadline_ = loop_.start_timer(spec_.duration, [this] {
        if (finished_ == issued_) loop_.stop();
      });
    // Runs while transfers are out, or open loop's slots are to come.
    if (spec_.requests > 0 && (finished_ < issued_ || (spec_.pacing.open() && !abandoned_))) {
      in_run_ = true;
      loop_.run();
      in_run_ = false;
    }
    deadline_.cancel();
    r_.duration_s = seconds_since(t0);
    lag_.stop();
    r_.loop_lag_ns = lag_.lag_ns();
    for (auto& timer : slot_timers_)
      timer.cancel();
    r_.stalls_rescued = multi_->rescued();
    if (const auto ec = multi_->error()) abandon("curl_multi_socket_action", ec);
    multi_.reset();  // before the easy handles, and while the loop lives
    return std::move(r_);
  }

 private:
  bool issuing() const {
    return wants_request(spec_, issued_, t0_) && r_.failed < kMaxFailures && !r_.timed_out &&
           !abandoned_;
  }

  // libcurl refused to run or let go of a transfer: no request is issued
  // after it, the run ends once the transfers out have finished, and the
  // reason is among its errors.
  void abandon(const char* what, std::error_code ec) {
    ++r_.failed;
    if (r_.errors.size() < kKeptErrors)
      r_.errors.push_back(std::string(what) + ": " + ec.message());
    abandoned_ = true;
  }

  void issue(std::size_t i, Clock::time_point intended) {
    Transfer& t = transfers_[i];
    t.index = issued_++;
    t.intended = intended;
    t.started = Clock::now();
    if (const auto ec = multi_->add(t.easy.get())) {
      abandon("curl_multi_add_handle", ec);
      ++finished_;  // it never started
      if (in_run_ && finished_ == issued_) loop_.stop();
    }
  }

  // Open loop: the transfer is idle; send at its next slot.
  void arm(std::size_t i) {
    if (!issuing()) return;
    slot_timers_[i] =
        loop_.start_timer(schedules_[i].due() - Clock::now(), [this, i] { send_due(i, false); });
  }

  void send_due(std::size_t i, bool late) {
    if (!issuing()) return;
    r_.slots.count(late);
    issue(i, schedules_[i].take());
  }

  void on_done(CURL* easy, CURLcode code) {
    Transfer* t = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &t);
    account(r_, *t, code, spec_);
    if (const auto ec = multi_->remove(easy)) abandon("curl_multi_remove_handle", ec);
    ++finished_;
    const auto i = static_cast<std::size_t>(t - transfers_.data());
    if (!issuing()) {
      if (finished_ == issued_) loop_.stop();
    } else if (!spec_.pacing.open()) {
      issue(i, Clock::now());
    } else if (schedules_[i].due() <= Clock::now()) {
      send_due(i, true);  // its slot came while this request was out
    } else {
      arm(i);
    }
  }

  Loop& loop_;
  const HttpRunSpec& spec_;
  HttpRunResult r_;
  std::vector<Transfer> transfers_;
  std::vector<SendSchedule> schedules_;  // open loop, one per transfer
  std::vector<Timer> slot_timers_;
  std::unique_ptr<http::CurlMulti> multi_;
  bool abandoned_ = false;
  // Inside loop_.run(), where loop_.stop() ends this run; outside it, a
  // stop would end the next run on the same loop at once.
  bool in_run_ = false;
  int issued_ = 0, finished_ = 0;
  Clock::time_point t0_;
  Timer deadline_;
  LagProbe lag_;
};

}  // namespace

std::string version_name(HttpVersion v) {
  return v == HttpVersion::http1_1 ? "1.1" : "2";
}

bool is_http2(HttpVersion v) {
  return v != HttpVersion::http1_1;
}

int async_connections(const HttpRunSpec& spec) {
  const int transfers = std::min(spec.concurrency, spec.requests);
  const bool multiplexed = is_http2(spec.version) && !spec.fresh_connections;
  const int streams = multiplexed ? std::max(spec.streams, 1) : 1;
  return (transfers + streams - 1) / streams;
}

HttpRunResult run_http_sync(const HttpRunSpec& spec) {
  HttpRunResult r;
  Transfer t;
  configure(t, spec);
  const auto t0 = Clock::now();
  for (int i = 0; wants_request(spec, i, t0) && r.failed < kMaxFailures && !r.timed_out &&
                  !Interruption::requested();
       ++i) {
    t.intended = t.started = Clock::now();
    account(r, t, curl_easy_perform(t.easy.get()), spec);
  }
  r.duration_s = seconds_since(t0);
  return r;
}

HttpRunResult run_http_threads(const HttpRunSpec& spec) {
  HttpRunResult total;
  std::mutex merge;
  std::atomic<long long> next{0};
  std::atomic<std::uint64_t> failures{0};
  std::atomic<bool> timed_out{false};
  std::vector<std::thread> threads;
  // Handles are made before the clock starts, as the sync client's is.
  std::vector<Transfer> transfers(static_cast<std::size_t>(spec.threads));
  for (auto& t : transfers)
    configure(t, spec);
  const auto t0 = Clock::now();
  for (auto& t : transfers) {
    threads.emplace_back([&, tp = &t] {
      HttpRunResult mine;
      while (failures < kMaxFailures && !timed_out && !Interruption::requested() &&
             wants_request(spec, next.fetch_add(1), t0)) {
        tp->intended = tp->started = Clock::now();
        const auto failed_before = mine.failed;
        account(mine, *tp, curl_easy_perform(tp->easy.get()), spec);
        if (mine.failed != failed_before) ++failures;
        if (mine.timed_out) timed_out = true;
      }
      std::lock_guard lock(merge);
      total.ok += mine.ok;
      total.failed += mine.failed;
      total.bytes += mine.bytes;
      total.connections += mine.connections;
      total.timed_out = total.timed_out || mine.timed_out;
      for (const auto& [name, n] : mine.negotiated)
        total.negotiated[name] += n;
      total.latency_ns.merge(mine.latency_ns);
      for (auto& e : mine.errors)
        if (total.errors.size() < kKeptErrors) total.errors.push_back(e);
    });
  }
  for (auto& th : threads)
    th.join();
  total.duration_s = seconds_since(t0);
  return total;
}

HttpRunResult run_http_async(Loop& loop, const HttpRunSpec& spec) {
  AsyncRun run(loop, spec);
  return run.result();
}

}  // namespace lb
