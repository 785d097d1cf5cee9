#include "engine/distributed/worker_train_job.h"

#include <cstdio>
#include <map>

#include "engine/distributed/local_launcher.h"
#include "engine/errors.h"
#include "engine/job_event_stream.h"

namespace fovea::engine {
namespace {

std::string number(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

// Passes every call on and notes the summary: a run whose workers all exit 0 but whose rank 0 never
// said that training finished has not finished.
class Relay final : public JobObserver {
 public:
  explicit Relay(JobObserver& to) : to_(to) {}
  void on_progress(const Progress& p) override { to_.on_progress(p); }
  void on_step(const StepMetrics& s) override { to_.on_step(s); }
  void on_epoch(const EpochMetrics& e) override { to_.on_epoch(e); }
  void on_predictions(const PredictionSamples& s) override { to_.on_predictions(s); }
  void on_log(log::Level level, const std::string& message) override { to_.on_log(level, message); }
  void on_finished(const TrainSummary& s) override {
    finished = true;
    to_.on_finished(s);
  }
  bool finished = false;

 private:
  JobObserver& to_;
};

// Cuts each worker's standard error into lines: rank 0's JSON lines become observer calls, any other
// line (a library's warning, an error, another rank's words) a log line.
class OutputLines {
 public:
  explicit OutputLines(Relay& relay) : relay_(relay) {}

  void add(int rank, const std::string& text) {
    std::string& pending = pending_[rank];
    for (const char c : text) {
      if (c == '\n' || c == '\r') {
        line(rank, pending);
        pending.clear();
      } else if (pending.size() < kMaxLine) {
        pending += c;
      }
    }
  }

  void flush() {
    for (auto& [rank, pending] : pending_) {
      line(rank, pending);
      pending.clear();
    }
  }

 private:
  static constexpr size_t kMaxLine = size_t(256) << 20;  // a predictions event of large images is a few MB

  void line(int rank, const std::string& text) {
    if (text.find_first_not_of(" \t") == std::string::npos) return;
    if (rank == 0 && replay_json_line(text, relay_)) return;
    relay_.on_log(log::Level::Warning, rank == 0 ? text : "[rank " + std::to_string(rank) + "] " + text);
  }

  Relay& relay_;
  std::map<int, std::string> pending_;
};

void run_workers(const WorkerTrainRequest& request, JobControl& control, JobObserver& observer) {
  LaunchRequest launch;
  launch.program = request.program;
  launch.arguments = train_command_line(request.config);
  launch.arguments.push_back("--progress-json");
  launch.processes = request.processes;
  launch.environment = request.environment;
  launch.grace = request.grace;
  Relay relay(observer);
  OutputLines lines(relay);
  launch.on_output = [&lines](int rank, const std::string& text) { lines.add(rank, text); };

  say(observer, log::Level::Info,
      "starting " + std::to_string(request.processes) + " data-parallel worker processes (" + request.program + ")");
  LocalLauncher launcher(std::move(launch));
  launcher.start();
  std::optional<LaunchOutcome> outcome;
  while (!(outcome = launcher.poll(std::chrono::milliseconds(100)))) {
    if (control.cancel_requested()) launcher.stop();  // once: later calls do nothing
  }
  lines.flush();
  if (outcome->failed_rank >= 0) throw Error(outcome->message);
  if (control.cancel_requested()) throw JobCancelled{};
  if (outcome->exit_code != 0)
    throw Error("the worker processes ended with code " + std::to_string(outcome->exit_code) +
                (outcome->message.empty() ? "" : ": " + outcome->message));
  if (!relay.finished) throw Error("the worker processes ended without reporting the end of training");
}

}  // namespace

std::vector<std::string> train_command_line(const TrainConfig& c) {
  std::vector<std::string> a{"train", "--model", c.model, "--data", c.data_path};
  const auto option = [&a](const char* name, const std::string& value) { a.insert(a.end(), {name, value}); };
  const auto flag = [&a](const char* name, bool on) {
    if (on) a.emplace_back(name);
  };
  flag("--cifar-stem", c.cifar_stem);
  option("--epochs", number(c.epochs));
  option("--batch-size", std::to_string(c.batch_size));
  if (c.learning_rate > 0) option("--lr", number(c.learning_rate));
  option("--optimizer", optimizer_name(c.optimizer));
  option("--momentum", number(c.momentum));
  flag("--nesterov", c.nesterov);
  if (c.weight_decay >= 0) option("--weight-decay", number(c.weight_decay));
  flag("--no-decay-norms-biases", !c.decay_norms_and_biases);
  option("--backbone-lr-scale", number(c.backbone_lr_scale));
  option("--norm-bias-lr-scale", number(c.norm_bias_lr_scale));
  option("--schedule", schedule_name(c.schedule));
  option("--warmup-epochs", number(c.warmup_epochs));
  option("--warmup-from", number(c.warmup_from));
  option("--final-lr", number(c.final_lr_fraction));
  option("--step-epochs", std::to_string(c.step_epochs));
  option("--step-gamma", number(c.step_gamma));
  option("--label-smoothing", number(c.label_smoothing));
  option("--mixup", number(c.mixup_alpha));
  option("--cutmix", number(c.cutmix_alpha));
  option("--ema", number(c.ema_decay));
  option("--lookahead", std::to_string(c.lookahead_every));
  option("--lookahead-start-epochs", std::to_string(c.lookahead_start_epochs));
  option("--clip-grad", number(c.grad_clip_norm));
  option("--tta", std::to_string(c.tta));
  option("--whiten-bias-epochs", std::to_string(c.whiten_bias_epochs));
  option("--pad-to", std::to_string(c.pad_to));
  flag("--rgb", c.force_rgb);
  flag("--no-augment", !c.augment);
  flag("--no-flip", !c.flip);
  flag("--flip", c.flip_idx);
  if (c.cutout > 0) option("--cutout", std::to_string(c.cutout));
  if (c.precise_bn > 0) option("--precise-bn", std::to_string(c.precise_bn));
  if (c.image_size > 0) option("--image-size", std::to_string(c.image_size));
  option("--train-crop", c.train_crop);
  if (c.randaugment_ops > 0)
    option("--randaugment", std::to_string(c.randaugment_ops) + "," + std::to_string(c.randaugment_magnitude));
  option("--device", c.device);
  flag("--fp32", !c.mixed_precision);
  if (!c.output_dir.empty()) option("--out", c.output_dir);
  if (c.limit_train > 0) option("--limit-train", std::to_string(c.limit_train));
  if (c.limit_test > 0) option("--limit-test", std::to_string(c.limit_test));
  option("--seed", std::to_string(c.seed));
  if (!c.resume_from.empty()) option("--resume", c.resume_from);
  if (!c.init_from.empty()) option("--init-from", c.init_from);
  flag("--init-non-strict", !c.init_from.empty() && !c.init_strict);
  return a;
}

std::unique_ptr<Job> make_worker_train_job(WorkerTrainRequest request, JobObserver& observer) {
  return std::make_unique<Job>(
      [request = std::move(request)](JobControl& control, JobObserver& o) { run_workers(request, control, o); },
      observer);
}

}  // namespace fovea::engine
