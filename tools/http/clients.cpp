#include "tools/http/clients.hpp"

#include <array>
#include <atomic>
#include <mutex>
#include <thread>

#include "engine/lag_probe.hpp"
#include "protocols/http/curl_handles.hpp"
#include "protocols/http/curl_multi.hpp"

namespace lb {
namespace {

constexpr std::size_t kKeptErrors = 5;
// A run stops issuing requests after this many failures: a dead server
// costs seconds, not requests x timeout.
constexpr std::uint64_t kMaxFailures = 10;

// One reusable easy handle and what its current transfer received.
struct Transfer {
  http::EasyHandle easy = http::make_easy();
  std::uint64_t received = 0;
  Clock::time_point started{};
  int index = -1;                             // async: which request this is
  std::array<char, CURL_ERROR_SIZE> error{};  // libcurl's detail ("SSL certificate problem: ...")
};

std::size_t count_body(char*, std::size_t size, std::size_t n, void* userp) {
  static_cast<Transfer*>(userp)->received += size * n;
  return size * n;
}

void configure(Transfer& t, const HttpRunSpec& spec) {
  CURL* e = t.easy.get();
  curl_easy_setopt(e, CURLOPT_URL, spec.url.c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &count_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(spec.timeout.count()));
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.error.data());
  if (!spec.ca_pem.empty()) {
    curl_blob blob{const_cast<char*>(spec.ca_pem.data()), spec.ca_pem.size(), CURL_BLOB_COPY};
    curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob);
  }
  if (!spec.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, spec.ca_file.c_str());
  if (spec.insecure) {
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
  }
}

// Records the outcome of one finished transfer into `r`.
void account(HttpRunResult& r, Transfer& t, CURLcode code, const HttpRunSpec& spec) {
  long status = 0, connects = 0;
  curl_easy_getinfo(t.easy.get(), CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(t.easy.get(), CURLINFO_NUM_CONNECTS, &connects);
  r.connections += static_cast<std::uint64_t>(connects);
  std::string error;
  if (code != CURLE_OK)
    // libcurl's kind of failure, then its detail when it has one.
    error = std::string(curl_easy_strerror(code)) +
            (t.error[0] ? std::string(": ") + t.error.data() : std::string());
  else if (status != 200)
    error = "HTTP status " + std::to_string(status);
  else if (t.received != spec.expected_bytes)
    error = "body of " + std::to_string(t.received) + " bytes, expected " +
            std::to_string(spec.expected_bytes);
  if (error.empty()) {
    ++r.ok;
    r.bytes += t.received;
    r.latency_ns.record(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t.started).count()));
  } else {
    ++r.failed;
    if (r.errors.size() < kKeptErrors) r.errors.push_back(spec.url + ": " + error);
  }
  t.received = 0;
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

HttpRunResult run_http_sync(const HttpRunSpec& spec) {
  HttpRunResult r;
  Transfer t;
  configure(t, spec);
  const auto t0 = Clock::now();
  for (int i = 0; i < spec.requests && r.failed < kMaxFailures; ++i) {
    t.started = Clock::now();
    account(r, t, curl_easy_perform(t.easy.get()), spec);
  }
  r.duration_s = seconds_since(t0);
  return r;
}

HttpRunResult run_http_threads(const HttpRunSpec& spec) {
  HttpRunResult total;
  std::mutex merge;
  std::atomic<int> next{0};
  std::atomic<std::uint64_t> failures{0};
  std::vector<std::thread> threads;
  // Handles are made before the clock starts, as the sync client's is.
  std::vector<Transfer> transfers(static_cast<std::size_t>(spec.threads));
  for (auto& t : transfers)
    configure(t, spec);
  const auto t0 = Clock::now();
  for (auto& t : transfers) {
    threads.emplace_back([&, tp = &t] {
      HttpRunResult mine;
      while (failures < kMaxFailures && next.fetch_add(1) < spec.requests) {
        tp->started = Clock::now();
        const auto failed_before = mine.failed;
        account(mine, *tp, curl_easy_perform(tp->easy.get()), spec);
        if (mine.failed != failed_before) ++failures;
      }
      std::lock_guard lock(merge);
      total.ok += mine.ok;
      total.failed += mine.failed;
      total.bytes += mine.bytes;
      total.connections += mine.connections;
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
  HttpRunResult r;
  const int in_flight = std::min(spec.concurrency, spec.requests);
  std::vector<Transfer> transfers(static_cast<std::size_t>(in_flight));
  int issued = 0, finished = 0;
  LagProbe lag(loop);
  std::unique_ptr<http::CurlMulti> multi;
  auto issue = [&](Transfer& t) {
    t.index = issued++;
    t.started = Clock::now();
    multi->add(t.easy.get());
  };
  multi = std::make_unique<http::CurlMulti>(loop, std::max(in_flight, 1),
                                            [&](CURL* easy, CURLcode code) {
                                              Transfer* t = nullptr;
                                              curl_easy_getinfo(easy, CURLINFO_PRIVATE, &t);
                                              multi->remove(easy);
                                              account(r, *t, code, spec);
                                              ++finished;
                                              if (issued < spec.requests && r.failed < kMaxFailures)
                                                issue(*t);
                                              else if (finished == issued)
                                                loop.stop();
                                            });
  for (auto& t : transfers) {
    configure(t, spec);
    curl_easy_setopt(t.easy.get(), CURLOPT_PRIVATE, &t);
  }
  const auto t0 = Clock::now();
  lag.start();
  for (auto& t : transfers)
    issue(t);
  if (spec.requests > 0) loop.run();
  r.duration_s = seconds_since(t0);
  lag.stop();
  r.loop_lag_ns = lag.lag_ns();
  multi.reset();  // before the easy handles, and while the loop lives
  return r;
}

}  // namespace lb
