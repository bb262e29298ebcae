#pragma once
// A loop under a second name, for validating the verdicts (docs/statistics.md,
// "Checking the verdicts"): it is another backend in every respect but its
// name, so an A/A comparison of the two must come out `same` or `undecided`.
// With a slowdown it burns CPU after each turn in proportion to the CPU the
// turn used, so a CPU-bound client on it runs that fraction slower: a known
// difference the verdicts must find.
#include <memory>
#include <string>

#include "engine/backend.hpp"

namespace lb {

// `slowdown` is the fraction of throughput to lose, from 0 (none: no clock
// is read) to below 1.
std::unique_ptr<Backend> make_twin_backend(std::unique_ptr<Backend> inner, std::string name,
                                           double slowdown);

}  // namespace lb
