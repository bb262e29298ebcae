#pragma once
// Windows has no fork(), so the built-in server runs on a thread of bench
// (server_process.cpp) instead of in a child. Each such server is a stop
// scope: StopOnSignal objects made on its thread stop when the server is
// asked to, as a child's would on SIGTERM; Ctrl-C stops every scope, as
// SIGINT reaches a child in the same process group. Its thread's CPU time
// is counted as the server's, not the client's (cpu.cpp).
#include <windows.h>

namespace lb::win {

// A new scope for servers started from here on; 0 is bench's own.
int new_stop_scope();
// The scope of the calling thread (0 unless enter_stop_scope was called).
int current_stop_scope();
// Makes the calling thread part of `scope` and counts its CPU time as a
// server's until it calls leave_server_thread.
void enter_server_thread(int scope);
void leave_server_thread();
// Runs the StopOnSignal callbacks of `scope`, now and of any made later in it.
void stop_scope(int scope);
// CPU time so far, seconds: user and system of every server thread (those
// that ended included), and the total of one scope's.
struct ThreadTimes {
  double user_s = 0;
  double sys_s = 0;
};
ThreadTimes server_threads_cpu_times();
double scope_cpu_seconds(int scope);

}  // namespace lb::win
