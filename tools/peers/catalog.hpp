#pragma once
// The other clients bench can run beside its own (--peers): what each is,
// which workloads it runs, and what it needs installed.
#include <string>
#include <vector>

namespace lb {

struct PeerClient {
  std::string name;                      // as --peers names it
  std::string library;                   // the rows' client
  std::string bench;                     // http | ws
  std::string script;                    // file in the peers directory
  std::vector<std::string> modes;        // the workloads it can run
  std::vector<std::string> event_loops;  // asyncio, uvloop: one row each, except sync/threads
  std::string runtime;                   // python | node
  std::string module;                    // what must import for it to run
  std::string install;                   // how a user gets it
  std::string program;                   // a tool the script runs (h2load), looked for on PATH
  // What must import for bench http --http2 to run it (h2 for httpx); empty:
  // it speaks HTTP/1.1 only.
  std::string http2_module;
  std::string http2_install;
};

const std::vector<PeerClient>& peer_catalog();

// The peers of `bench` (http, ws, echo-tcp or echo-ws) in a comma list, or
// all of them.
// Throws UsageError for a name it does not know, listing the known ones.
std::vector<const PeerClient*> select_peers(const std::string& bench, const std::string& list);

}  // namespace lb
