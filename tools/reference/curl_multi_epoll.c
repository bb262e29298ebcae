/* The plain-C reference for `bench http --mode=async`: libcurl's
 * multi_socket API on a bare epoll loop, nothing else. It fetches URL
 * REQUESTS times with CONCURRENCY transfers in flight, reusing connections,
 * checks every response (status 200, EXPECTED body bytes), and prints one
 * line of figures. tools/scripts/compare-http.sh runs it beside bench
 * against the same server, so "our glue costs nothing" can be checked by
 * anyone:
 *   curl_multi_reference URL REQUESTS CONCURRENCY EXPECTED
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

struct transfer {
  CURL* easy;
  unsigned long long received;
};

static int epfd;
static long long deadline_ms = -1; /* libcurl's timer, CLOCK_MONOTONIC ms; -1: none */
static int issued, finished, failed;
static int requests;
static unsigned long long expected;

static size_t on_body(char* data, size_t size, size_t n, void* userp) {
  (void)data;
  ((struct transfer*)userp)->received += size * n;
  return size * n;
}

static int on_socket(CURL* easy, curl_socket_t fd, int what, void* userp, void* socketp) {
  (void)easy;
  (void)userp;
  struct epoll_event ev = {0};
  ev.data.fd = fd;
  if (what == CURL_POLL_REMOVE) {
    epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
    return 0;
  }
  if (what & CURL_POLL_IN) ev.events |= EPOLLIN;
  if (what & CURL_POLL_OUT) ev.events |= EPOLLOUT;
  if (epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) != 0) epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
  (void)socketp;
  return 0;
}

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

static int on_timer(CURLM* multi, long ms, void* userp) {
  (void)multi;
  (void)userp;
  deadline_ms = ms < 0 ? -1 : now_ms() + ms;
  return 0;
}

static void start(CURLM* multi, struct transfer* t) {
  t->received = 0;
  ++issued;
  curl_multi_add_handle(multi, t->easy);
}

static void drain(CURLM* multi) {
  int left = 0;
  CURLMsg* msg;
  while ((msg = curl_multi_info_read(multi, &left))) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    const CURLcode code = msg->data.result;
    struct transfer* t = NULL;
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char**)&t);
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    if (code != CURLE_OK || status != 200 || t->received != expected) {
      if (failed++ == 0)
        fprintf(stderr, "curl_multi_reference: %s, status %ld, %llu bytes\n",
                curl_easy_strerror(code), status, t->received);
    }
    ++finished;
    curl_multi_remove_handle(multi, easy);
    if (issued < requests) start(multi, t);
  }
}

static double seconds_of(struct timeval tv) {
  return tv.tv_sec + tv.tv_usec / 1e6;
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s URL REQUESTS CONCURRENCY EXPECTED_BYTES\n", argv[0]);
    return 2;
  }
  const char* url = argv[1];
  requests = atoi(argv[2]);
  const int concurrency = atoi(argv[3]);
  expected = strtoull(argv[4], NULL, 10);
  if (requests < 1 || concurrency < 1) {
    fprintf(stderr, "curl_multi_reference: REQUESTS and CONCURRENCY must be at least 1\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  epfd = epoll_create1(EPOLL_CLOEXEC);
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)concurrency);
  const int n = concurrency < requests ? concurrency : requests;
  struct transfer* transfers = calloc((size_t)n, sizeof *transfers);
  for (int i = 0; i < n; ++i) {
    CURL* e = curl_easy_init();
    transfers[i].easy = e;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &transfers[i]);
    curl_easy_setopt(e, CURLOPT_PRIVATE, &transfers[i]);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
  }
  struct rusage before, after;
  struct timespec t0, t1;
  getrusage(RUSAGE_SELF, &before);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int i = 0; i < n; ++i)
    start(multi, &transfers[i]);
  int running = 0;
  struct epoll_event events[64];
  while (finished < requests) {
    long long wait = 1000;
    if (deadline_ms >= 0) wait = deadline_ms > now_ms() ? deadline_ms - now_ms() : 0;
    const int ready = epoll_wait(epfd, events, 64, (int)wait);
    for (int i = 0; i < ready; ++i) {
      int mask = 0;
      if (events[i].events & EPOLLIN) mask |= CURL_CSELECT_IN;
      if (events[i].events & EPOLLOUT) mask |= CURL_CSELECT_OUT;
      if (events[i].events & (EPOLLERR | EPOLLHUP)) mask |= CURL_CSELECT_ERR;
      curl_multi_socket_action(multi, events[i].data.fd, mask, &running);
    }
    if (deadline_ms >= 0 && now_ms() >= deadline_ms) {
      deadline_ms = -1;
      curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    drain(multi);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  getrusage(RUSAGE_SELF, &after);
  const double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  const double cpu = seconds_of(after.ru_utime) - seconds_of(before.ru_utime) +
                     seconds_of(after.ru_stime) - seconds_of(before.ru_stime);
  printf("requests %d failed %d seconds %.6f req_per_s %.1f cpu_us_per_req %.2f\n", requests,
         failed, s, requests / s, cpu * 1e6 / requests);
  for (int i = 0; i < n; ++i)
    curl_easy_cleanup(transfers[i].easy);
  free(transfers);
  curl_multi_cleanup(multi);
  close(epfd);
  curl_global_cleanup();
  return failed ? 1 : 0;
}
