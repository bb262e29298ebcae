#pragma once
// bench echo on several client loops of one kind, one thread each (the
// first on the calling thread): connections and rate shared out evenly,
// the runs kept in step by a LoopBarrier, a failing run aborting the
// others, and one result merged from theirs. Histograms merge bucket for
// bucket, so the tail keeps its precision. CPU time and resident sets are
// the process's, read by each run over windows that start within a turn
// of each other: the merge takes the largest, never a sum.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "backends/registry.hpp"
#include "engine/loop.hpp"
#include "tools/echo/client/run.hpp"

namespace lb {

class EchoClientLoops {
 public:
  // `first` is the calling thread's loop; the others are made here.
  EchoClientLoops(Loop& first, const LoopKind& kind, const EchoRunSpec& spec, std::size_t threads);
  ~EchoClientLoops();
  EchoClientLoops(const EchoClientLoops&) = delete;
  EchoClientLoops& operator=(const EchoClientLoops&) = delete;

  // Echoed payload bytes so far over every loop, for the progress line.
  std::uint64_t bytes_so_far() const;
  // Connections replaced so far over every loop (--churn).
  std::uint64_t reconnects_so_far() const;
  // Runs every loop until its run is done; the merged result.
  EchoRunResult run();

 private:
  void on_done(std::size_t i, const EchoRunResult& r);

  std::vector<std::unique_ptr<Loop>> own_loops_;
  std::vector<Loop*> loops_;
  std::vector<EchoRunResult> results_;
  std::vector<std::unique_ptr<EchoRun>> runs_;  // before the loops they use go
};

// Shares `total` out over `parts`: the first `total % parts` get one more.
std::size_t share_of(std::size_t total, std::size_t parts, std::size_t i);

}  // namespace lb
