#pragma once
// Option values every command checks the same way; bad input is a
// UsageError that names the option.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace lb {

// "4GiB" -> bytes (tools/options/size.hpp).
std::uint64_t size_option(const std::string& option, const std::string& text);
// Pins the calling thread (and threads it starts) to `cpu` unless it is
// negative; UsageError saying which CPUs exist when it cannot.
void pin_or_throw(int cpu, const char* who);
// How tables name a placement: "CPU 1", or "unpinned" for a negative cpu.
std::string cpu_text(int cpu);
// "1 repeat", "2 repeats": a count with its noun, plural but for one.
std::string counted(std::uint64_t n, const std::string& noun);
// "a,b,c" -> {"a", "b", "c"} (empty items kept, so they can be refused).
std::vector<std::string> split_list(const std::string& text);
// A comma list of `allowed` values, or "all" for every one of them; an
// unknown item is "OPTION: unknown WHAT 'item' (a, b or all)".
std::vector<std::string> checked_list(const std::string& option, const std::string& text,
                                      const std::vector<std::string>& allowed,
                                      const std::string& what = "value");
// A CLI11 check for every floating-point option: "nan" and "inf" parse as
// numbers and pass a range check made with < and >, then hang a run or
// print nonsense, so they are refused where they are read.
CLI::Validator finite_number();
// finite_number() for a duration: seconds, or a number with a unit (ms, s,
// m, h; "500ms", "2m"), 0 to kMaxSeconds (11.6 days): far more than any
// run, and far from overflowing a count of nanoseconds.
inline constexpr double kMaxSeconds = 1e6;
CLI::Validator seconds_option();
// A CLI11 check for a CPU option (--server-cpu, --client-cpu, --cpu): a
// CPU number, or -1 for unpinned; -3 was taken as unpinned without a word.
CLI::Validator cpu_option();
// A CLI11 check for an unsigned count: CLI11 2.1 converts "-1" to an
// unsigned type by wrapping it to 2^64-1.
CLI::Validator unsigned_count();
// Parses a port option: 0..65535.
std::uint16_t port_option(int port);
// Checks, before anything is measured, that `path` (the value of
// `option`, e.g. --json) can be written: a UsageError naming the option
// and the system's reason when not. A file that did not exist is not left
// behind. An empty path (no output asked) and "-" (stdout) pass.
void check_output_file(const std::string& option, const std::string& path);

}  // namespace lb
