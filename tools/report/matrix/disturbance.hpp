#pragma once
// Which of a matrix round's steps the machine disturbed: a step whose
// calibration probe ran slow, whose client waited for a CPU, or whose
// vCPUs were stolen, far beyond what the run has seen so far (a modified
// z-score over 3.5, and past a floor that a quiet machine stays under).
// The matrix repeats such a scenario's round once and lists it
// (docs/statistics.md, "Disturbed rounds").
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lb {

class DisturbanceJudge {
 public:
  // Why the steps of one scenario's round stand out, one line per
  // disturbed repeat ("epoll: probe 2.10x the run's median"); empty when
  // none does. The steps themselves count in what is usual, so the first
  // round is judged too, once there are enough figures.
  std::vector<std::string> judge(const std::string& scenario,
                                 const std::vector<nlohmann::json>& step_docs) const;
  // Adds the steps kept to what is usual for the run.
  void add(const std::string& scenario, const std::vector<nlohmann::json>& step_docs);

 private:
  std::vector<double> probes_, steals_;               // every scenario's
  std::map<std::string, std::vector<double>> waits_;  // a scenario's own
};

}  // namespace lb
