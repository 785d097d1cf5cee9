// fovea-bench-train: a training preset timed as airbench times itself: one warm-up run first (the first
// convolutions' cuDNN plans, the CUDA graph recording, lazily loaded kernels), then each run's
// data-dependent initialisation, training loops and final evaluation (timed_seconds); per-epoch
// evaluations, start-up and checkpoints are outside the timing, and no checkpoints are written.
//   fovea-bench-train DATA [--preset fast-cifar] [--runs 3] [--device cuda]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/errors.h"
#include "engine/job.h"
#include "engine/observer.h"
#include "engine/train_job.h"
#include "engine/training/presets.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fovea-bench-train DATA [--preset fast-cifar] [--runs 3] [--device cuda]\n");
    return 2;
  }
  fovea::engine::TrainConfig config;
  std::string preset = "fast-cifar";
  int runs = 3;
  config.device = "cuda";
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--preset") preset = value;
    else if (flag == "--runs") runs = std::atoi(value.c_str());
    else if (flag == "--device") config.device = value;
    else {
      std::fprintf(stderr, "unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  try {
    fovea::engine::apply_preset(preset, config);
    config.data_path = argv[1];
    fovea::engine::JobObserver quiet;
    for (int run = 0; run <= runs; ++run) {
      fovea::engine::JobControl control;
      config.seed = static_cast<uint64_t>(run);
      const fovea::engine::TrainSummary s = fovea::engine::train(config, control, quiet);
      std::printf("%s seed %d: %.3f s timed (%.3f s in all), %.0f training images/s, test accuracy %.2f %% (EMA %.2f %%)\n",
                  run == 0 ? "warm-up run," : "run,", run, s.timed_seconds, s.seconds, s.images_per_second,
                  100 * s.test_accuracy, 100 * s.ema_test_accuracy);
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fovea-bench-train: %s\n", e.what());
    return 1;
  }
  return 0;
}
