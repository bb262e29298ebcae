#pragma once
// What the emulated path does, measured across it: TCP connect times (one
// round trip each) and the bottleneck rate from the spread of a UDP train.
#include <string>
#include <vector>

namespace lb::net {

// `count` connect() times in ms from the calling thread's namespace to a
// listener made in `server_ns` at `server_ip`, after one not counted (it
// resolves the neighbour). A connect that fails throws std::runtime_error.
std::vector<double> connect_times_ms(int server_ns, const std::string& server_ip, int count);

// Sends a train of UDP datagrams from `from_ns` to `to_ip` in `to_ns`, long
// enough to take ~30 ms at `expected_bps`, and returns the rate at which
// its later two thirds arrived, counting whole Ethernet frames (bits/s);
// the first third pays for tbf's burst. 0 when too few arrived.
double train_rate_bps(int from_ns, int to_ns, const std::string& to_ip, double expected_bps);

}  // namespace lb::net
