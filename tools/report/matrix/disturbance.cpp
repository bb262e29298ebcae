#include "tools/report/matrix/disturbance.hpp"

#include <fmt/core.h>

#include "engine/statistics/stats.hpp"
#include "tools/report/results.hpp"

namespace lb {
namespace {

constexpr double kZ = 3.5;  // Iglewicz and Hoaglin's outlier line
// Below these, a figure is not a disturbance however rare it is here: a
// probe within 25 % of the run's median, a wait or steal under 5 % of the
// repeat.
constexpr double kProbeFloor = 1.25, kFractionFloor = 0.05;
// Fewer figures than this say too little of what is usual.
constexpr std::size_t kFewestProbes = 10, kFewestWaits = 5;

struct RepeatFigures {
  std::string step;  // the row's label
  std::vector<double> probes;
  std::optional<double> wait_fraction, steal_fraction;
};

std::vector<RepeatFigures> figures_of(const std::vector<nlohmann::json>& step_docs) {
  std::vector<RepeatFigures> out;
  for (const auto& doc : step_docs)
    for (const auto& run : doc.value("runs", nlohmann::json::array()))
      for (const auto& rep : run.value("repeats", nlohmann::json::array())) {
        if (!rep.contains("machine")) continue;
        const auto& m = rep["machine"];
        const double duration = rep.value("duration_s", 0.0);
        RepeatFigures f{row_label(run), m.value("probe_us", std::vector<double>{}), {}, {}};
        if (duration > 0 && m.contains("run_queue_wait_s"))
          f.wait_fraction = m["run_queue_wait_s"].get<double>() / duration;
        if (duration > 0 && m.contains("steal_s"))
          f.steal_fraction = m["steal_s"].get<double>() / duration;
        out.push_back(std::move(f));
      }
  return out;
}

void append(std::vector<double>& to, const std::vector<RepeatFigures>& figures,
            std::optional<double> RepeatFigures::*field) {
  for (const auto& f : figures)
    if (f.*field) to.push_back(*(f.*field));
}

}  // namespace

std::vector<std::string> DisturbanceJudge::judge(
    const std::string& scenario, const std::vector<nlohmann::json>& step_docs) const {
  const auto figures = figures_of(step_docs);
  auto probes = probes_, steals = steals_;
  auto waits = waits_.count(scenario) ? waits_.at(scenario) : std::vector<double>{};
  for (const auto& f : figures)
    probes.insert(probes.end(), f.probes.begin(), f.probes.end());
  append(waits, figures, &RepeatFigures::wait_fraction);
  append(steals, figures, &RepeatFigures::steal_fraction);
  const double probe_median = spread_of(probes).median;

  std::vector<std::string> why;
  for (const auto& f : figures) {
    std::vector<std::string> what;
    for (double p : f.probes)
      if (probes.size() >= kFewestProbes && p >= kProbeFloor * probe_median &&
          modified_z_score(p, probes) > kZ) {
        what.push_back(fmt::format("probe {:.2f}x the run's median", p / probe_median));
        break;
      }
    if (f.wait_fraction && waits.size() >= kFewestWaits && *f.wait_fraction >= kFractionFloor &&
        modified_z_score(*f.wait_fraction, waits) > kZ)
      what.push_back(
          fmt::format("waited for a CPU {:.0f} % of the repeat", *f.wait_fraction * 100));
    if (f.steal_fraction && *f.steal_fraction >= kFractionFloor &&
        modified_z_score(*f.steal_fraction, steals) > kZ)
      what.push_back(fmt::format("steal {:.0f} % of the repeat", *f.steal_fraction * 100));
    if (what.empty()) continue;
    std::string line = f.step + ": ";
    for (std::size_t i = 0; i < what.size(); ++i)
      line += (i ? ", " : "") + what[i];
    why.push_back(std::move(line));
  }
  return why;
}

void DisturbanceJudge::add(const std::string& scenario,
                           const std::vector<nlohmann::json>& step_docs) {
  const auto figures = figures_of(step_docs);
  for (const auto& f : figures)
    probes_.insert(probes_.end(), f.probes.begin(), f.probes.end());
  append(waits_[scenario], figures, &RepeatFigures::wait_fraction);
  append(steals_, figures, &RepeatFigures::steal_fraction);
}

}  // namespace lb
