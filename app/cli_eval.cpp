#include <cstdio>

#include "app/cli_commands.h"
#include "app/cli_console.h"
#include "app/cli_output.h"
#include "engine/evaluation_results.h"

namespace fovea::cli {

int run_eval(const engine::EvalConfig& config, const std::string& results_path, bool json) {
  engine::validate(config);
  ConsoleObserver observer;
  auto job = engine::make_eval_job(config, observer);
  if (const int code = run_to_completion(*job, observer, "evaluation")) return code;
  const auto result = observer.evaluation();
  if (!result) {
    std::fprintf(stderr, "fovea-cli: error: evaluation ended without a result\n");
    return 1;
  }
  if (!results_path.empty()) engine::write_results_csv(results_path, *result);
  // Percentages, as timm's validate.py reports top1/top5.
  const double acc1 = 100 * result->top1, acc5 = 100 * result->top5;
  if (json) {
    print_json({{"checkpoint", result->checkpoint},
                {"model", result->model},
                {"data", result->data},
                {"split", result->split},
                {"device", result->device},
                {"num_classes", result->num_classes},
                {"images", result->images},
                {"acc1", acc1},
                {"acc5", acc5},
                {"loss", result->loss},
                {"images_per_second", result->images_per_second},
                {"seconds", result->seconds},
                {"notes", result->notes},
                {"results", results_path}});
  } else {
    std::printf("%s on %s (%s split, %s images): Acc@1 %.3f  Acc@5 %.3f  loss %.4f  %.0f images/s\n",
                result->model.c_str(), result->data.c_str(), result->split.c_str(), format_count(result->images).c_str(),
                acc1, acc5, result->loss, result->images_per_second);
  }
  return 0;
}

}  // namespace fovea::cli
