#pragma once
// What a built-in server's child process runs (tools/process/server_process.hpp
// starts it): its loops, pinned when asked, serving until it is stopped.
#include <string>

#include "tools/process/placement.hpp"
#include "tools/process/server_process.hpp"
#include "tools/serve/serving_loops.hpp"

namespace lb {

// The body of a child serving on `threads` loops: enters `where`'s server
// side, pins itself to `cpu` (-1: no), makes the loops, lets start()
// listen on `where`'s host (any port), reports the port and runs until
// SIGINT or SIGTERM. A setup error is printed as "bench: server: ..." and
// is exit status 1.
ServerProcess::Body loop_server_body(const Placement& where, std::string loop_name, int cpu,
                                     StartServer start, int threads = 1);

// The same body around a function that does all of that itself (a server
// with several loop threads): it enters `where`'s server side first, and
// its exceptions become exit status 1.
ServerProcess::Body guarded_server_body(const Placement& where, ServerProcess::Body body);

}  // namespace lb
