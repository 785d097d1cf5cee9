// fovea-bench-train: a training preset timed as airbench times itself: one warm-up run first (the first
// convolutions' cuDNN plans, the CUDA graph recording, lazily loaded kernels), then each run's
// data-dependent initialisation, training loops and final evaluation (timed_seconds); per-epoch
// evaluations, start-up and checkpoints are outside the timing, and no checkpoints are written.
//   fovea-bench-train DATA [--preset fast-cifar] [--runs 3] [--device cuda] [--SETTING VALUE ...]
// SETTING (after the preset, to compare recipes on one machine): epochs, ema, lookahead, weight-decay,
// norm-bias-lr-scale, warmup-from, final-lr.
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/errors.h"
#include "engine/job.h"
#include "engine/observer.h"
#include "engine/train_job.h"
#include "engine/train_config.h"
#include "engine/training/presets.h"

namespace {

// Each epoch's training time (its loops, as timed), for seeing where a run's seconds go.
class EpochTimes : public fovea::engine::JobObserver {
 public:
  void on_epoch(const fovea::engine::EpochMetrics& m) override {
    text_ += (text_.empty() ? "" : " ") + std::to_string(static_cast<int>(m.images_per_second / 1000.0 + 0.5)) + "k";
  }
  std::string take() { return std::exchange(text_, {}); }

 private:
  std::string text_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fovea-bench-train DATA [--preset fast-cifar] [--runs 3] [--device cuda] [--SETTING VALUE ...]\n");
    return 2;
  }
  using fovea::engine::TrainConfig;
  TrainConfig config;
  std::string preset = "fast-cifar";
  int runs = 3;
  std::string device = "cuda";
  const std::map<std::string, std::function<void(TrainConfig&, double)>> settings = {
      {"--epochs", [](TrainConfig& c, double v) { c.epochs = v; }},
      {"--ema", [](TrainConfig& c, double v) { c.ema_decay = v; }},
      {"--lookahead", [](TrainConfig& c, double v) { c.lookahead_every = static_cast<int>(v); }},
      {"--weight-decay", [](TrainConfig& c, double v) { c.weight_decay = v; }},
      {"--norm-bias-lr-scale", [](TrainConfig& c, double v) { c.norm_bias_lr_scale = v; }},
      {"--warmup-from", [](TrainConfig& c, double v) { c.warmup_from = v; }},
      {"--final-lr", [](TrainConfig& c, double v) { c.final_lr_fraction = v; }}};
  std::vector<std::pair<std::string, double>> overrides;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--preset") preset = value;
    else if (flag == "--runs") runs = std::atoi(value.c_str());
    else if (flag == "--device") device = value;
    else if (settings.contains(flag)) overrides.emplace_back(flag, std::atof(value.c_str()));
    else {
      std::fprintf(stderr, "unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  try {
    fovea::engine::apply_preset(preset, config);
    for (const auto& [flag, value] : overrides) settings.at(flag)(config, value);
    config.device = device;
    config.data_path = argv[1];
    fovea::engine::validate(config);
    EpochTimes epochs;
    for (int run = 0; run <= runs; ++run) {
      fovea::engine::JobControl control;
      config.seed = static_cast<uint64_t>(run);
      const fovea::engine::TrainSummary s = fovea::engine::train(config, control, epochs);
      std::printf("%s seed %d: %.3f s timed (init %.3f, last evaluation %.3f; %.3f s in all), %.0f training images/s, "
                  "test accuracy %.2f %%",
                  run == 0 ? "warm-up run," : "run,", run, s.timed_seconds, s.timed_init_seconds,
                  s.timed_evaluation_seconds, s.seconds, s.images_per_second, 100 * s.test_accuracy);
      if (config.ema_decay > 0) std::printf(" (EMA %.2f %%)", 100 * s.ema_test_accuracy);
      std::printf("; epochs' training images/s: %s\n", epochs.take().c_str());
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fovea-bench-train: %s\n", e.what());
    return 1;
  }
  return 0;
}
