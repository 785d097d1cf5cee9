#include <ATen/Context.h>
#include <torch/nn/functional/loss.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/optimizer.h>
#include <torch/utils.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "engine/checkpoint.h"
#include "engine/device.h"
#include "engine/errors.h"
#include "engine/kineto_trace.h"
#include "engine/train_job.h"
#include "engine/distributed/distributed_sampler.h"
#include "engine/training/batch_mixing.h"
#include "engine/training/data_parallel.h"
#include "engine/training/evaluator.h"
#include "engine/training/fast_optimizers.h"
#include "engine/training/graphed_step.h"
#include "engine/training/loss_readback.h"
#include "engine/training/lr_schedule.h"
#include "engine/training/optimizer_factory.h"
#include "engine/training/precise_bn.h"
#include "engine/training/resume_state.h"
#include "engine/training/run_checkpoint.h"
#include "engine/training/train_batch_source.h"
#include "engine/training/weight_ema.h"
#include "engine/training/weight_lookahead.h"
#include "models/airbench.h"
#include "models/registry.h"
#include "models/torch_compat.h"

namespace fovea::engine {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string fixed(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

// Sends progress at most ~10 times a second, plus whenever a phase changes.
class ProgressReporter {
 public:
  ProgressReporter(JobObserver& observer, Progress base) : observer_(observer), progress_(base) {}
  Progress& state() { return progress_; }
  void send(bool force) {
    const auto now = Clock::now();
    if (!force && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    observer_.on_progress(progress_);
  }

 private:
  JobObserver& observer_;
  Progress progress_;
  Clock::time_point last_{};
};

// What ranks other than 0 of a data-parallel run tell: nothing (rank 0 speaks for the run).
class SilentObserver final : public JobObserver {};

}  // namespace

TrainSummary train(const TrainConfig& requested, JobControl& control, JobObserver& job_observer) {
  const int threads = use_all_cpu_cores();
  TrainConfig config = requested;
  validate(config);
  if (config.learning_rate == 0) config.learning_rate = default_learning_rate(config.optimizer);
  if (config.weight_decay < 0) config.weight_decay = default_weight_decay(config.optimizer);
  // Data-parallel when the environment says so (torchrun, srun, fovea-cli train --gpus N).
  const std::unique_ptr<DataParallel> parallel = DataParallel::from_environment();
  const bool main_rank = !parallel || parallel->is_main();
  SilentObserver silent;
  JobObserver& observer = main_rank ? job_observer : silent;
  const c10::Device device = parallel ? parallel->device_for(config.device) : resolve_device(config.device);
  const int64_t rank_batch = parallel ? parallel->per_rank_batch(config.batch_size) : config.batch_size;
  if (parallel) {
    parallel->connect(device);
    say(observer, log::Level::Info,
        "data-parallel training: " + std::to_string(parallel->size()) + " processes (" + parallel->describe() +
            " here), batch " + std::to_string(rank_batch) + " per process");
  }
  const int ranks = parallel ? parallel->size() : 1, rank = parallel ? parallel->rank() : 0;
  const auto run_start = Clock::now();

  // bf16 autocast and, for CNNs, channels_last memory: the fast path of GPU tensor cores (cuDNN converts NCHW
  // to NHWC around every convolution otherwise); CPUs train in fp32. FOVEA_TRAIN_NCHW=1: NCHW, to compare.
  const models::ModelEntry* entry = models::find_model(config.model);  // unknown: create_model says so
  const bool mixed_precision = config.mixed_precision && device.is_cuda();
  const bool cnn = entry && (entry->family == "resnet" || entry->family == "airbench");
  const bool channels_last = mixed_precision && cnn && std::getenv("FOVEA_TRAIN_NCHW") == nullptr;
  // cuDNN's autotuner (every batch has the same shape): FOVEA_CUDNN_BENCHMARK=1, being measured.
  if (device.is_cuda() && std::getenv("FOVEA_CUDNN_BENCHMARK") != nullptr) at::globalContext().setBenchmarkCuDNN(true);

  say(observer, log::Level::Info, "loading " + config.data_path);
  const std::unique_ptr<TrainBatchSource> source =
      open_train_data(config, {device, channels_last, mixed_precision, rank, ranks}, observer);
  const DataDescription& data = source->data();
  if (data.crop_pct > 0) config.image_size = data.info.height;  // recorded as used: a resume asks for the same
  const int num_classes = static_cast<int>(data.info.class_names.size());
  say(observer, log::Level::Info,
      data.info.format_name + ": " + std::to_string(data.info.train_count) + " training and " +
          std::to_string(data.info.test_count) + " test images of " + std::to_string(data.info.height) + "x" +
          std::to_string(data.info.width) + "x" + std::to_string(data.info.channels) + ", " +
          std::to_string(num_classes) + " classes");

  if (config.precise_bn > 0 && data.crop_pct > 0)
    say(observer, log::Level::Warning, "precise BN applies to in-memory data sets only: image folders are evaluated with "
                                       "the running BatchNorm statistics");
  torch::manual_seed(config.seed);
  models::ModelSpec spec{config.model, num_classes, data.info.channels, config.cifar_stem, data.info.height};
  auto model = models::create_model(spec);
  model->to(device);
  if (channels_last) {
    torch::NoGradGuard no_grad;
    for (auto& p : model->parameters()) {
      if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
    }
  }
  say(observer, log::Level::Info,
      config.model + " with " + std::to_string(models::parameter_count(*model)) + " parameters on " +
          describe_device(device) + (mixed_precision ? " (bf16 autocast)" : " (fp32, " + std::to_string(threads) + " CPU threads)") + ", " + optimizer_name(config.optimizer) + " lr " + fixed(config.learning_rate, 5) +
          ", batch " + std::to_string(config.batch_size));
  TrainOptimizer train_optimizer = make_optimizer(config, *model);
  torch::optim::Optimizer& optimizer = *train_optimizer.optimizer;
  std::unique_ptr<WeightEma> ema;
  if (config.ema_decay > 0) {
    auto average = models::create_model(spec);
    average->to(device);
    ema = std::make_unique<WeightEma>(std::move(average), *model, config.ema_decay);
  }
  const MixingOptions mixing{config.mixup_alpha, config.cutmix_alpha, config.seed};

  // Each rank's share of an epoch (DistributedSampler's: padded to a multiple of the ranks) and batch.
  const int64_t n = parallel ? shard_size(data.train_images, ranks) : data.train_images;
  const int64_t batch = std::min(rank_batch, n);
  const int64_t steps_per_epoch = n / batch;  // the last partial batch is dropped (BatchNorm needs > 1 sample)
  const int64_t total_steps = total_train_steps(config, steps_per_epoch);
  const int epochs = epoch_count(config);  // the last one cut short when config.epochs has a fraction
  const ScheduleShape schedule = schedule_shape(config, steps_per_epoch);
  RunPosition start{0, 0, steps_per_epoch, total_steps};
  std::unique_ptr<WeightLookahead> lookahead;
  if (config.lookahead_every > 0)
    lookahead = std::make_unique<WeightLookahead>(config.lookahead_every,
                                                  config.lookahead_start_epochs * steps_per_epoch + 1, total_steps);
  double init_seconds = 0;
  models::AirbenchNetImpl* const airbench = dynamic_cast<models::AirbenchNetImpl*>(model.get());
  if (!config.resume_from.empty()) {
    start = resume_run(config, data, start, *model, optimizer, ema.get(), device, observer);
    if (lookahead) lookahead->resume(*model, start.step);
  } else if (!config.init_from.empty()) {
    init_from_weights(config, *model, observer);
  } else if (airbench) {
    // airbench94's data-dependent start: whitening filters from the patches of 5,000 training images.
    const auto init_start = Clock::now();
    const int64_t count = std::min<int64_t>(5000, data.train_images);
    airbench->init_whitening(source->plain_train_images(count));
    (void)airbench->parameters().front().flatten()[0].item<float>();  // waits for the device: timed like airbench
    init_seconds = seconds_since(init_start);
    say(observer, log::Level::Info, "whitening filters initialised from " + std::to_string(count) + " training images");
  }
  if (parallel) {  // every rank starts from rank 0's weights; gradients are averaged from now on
    parallel->broadcast_model(*model);
    if (ema) parallel->broadcast_model(ema->model());
    parallel->attach(*model);
  }
  const std::string out_dir = main_rank ? config.output_dir : std::string();  // rank 0 alone writes
  if (!out_dir.empty()) std::filesystem::create_directories(out_dir);

  Progress base;
  base.epochs = epochs;
  base.total_steps = total_steps;
  base.steps_per_epoch = steps_per_epoch;
  base.step = start.step;
  ProgressReporter progress(observer, base);
  TrainSummary summary;
  summary.device = describe_device(device);
  int64_t step = start.step;
  double train_seconds = 0;
  // Every step draws `batch` images' augmentation on each rank: counting them from the step makes a
  // resumed run draw what the uninterrupted one would have. Rank r's draws follow ranks 0..r-1's.
  uint64_t drawn = static_cast<uint64_t>(step * batch * ranks);

  // Losses reach the observer a few steps late on GPUs (see loss_readback.h); a NaN still names its step.
  LossReadback losses(device);
  const LossReadback::Ready report_loss = [&](double value, const StepRecord& r) {
    if (!std::isfinite(value))
      throw Error("training diverged: the loss became " + std::string(std::isnan(value) ? "NaN" : "infinite") +
                  " at step " + std::to_string(r.step) + " (epoch " + std::to_string(r.epoch) +
                  "); try a lower learning rate");
    observer.on_step({r.step, r.epoch, value, r.learning_rate});
  };

  // The epoch's running sums, written in place by every step (a recorded step writes the same memory).
  const at::Tensor loss_sum = at::zeros({}, at::TensorOptions(at::kDouble).device(device));
  const at::Tensor correct = at::zeros({}, at::TensorOptions(at::kLong).device(device));
  // One optimisation step on a batch on the device; returns its loss without waiting for it.
  const auto train_on = [&](const MixedBatch& mixed) {
    at::Tensor logits;
    {
      const compat::CudaBf16Autocast autocast(mixed_precision);
      logits = model->forward(mixed.images);
    }
    logits = logits.to(at::kFloat);
    const at::Tensor loss = mixed_cross_entropy(logits, mixed, config.label_smoothing);
    if (!device.is_cuda()) control.checkpoint();  // a CPU forward pass can be long: honour a cancel before the backward
    optimizer.zero_grad();
    loss.backward();
    if (parallel) parallel->finish_gradients();  // the average over the ranks (all-reduces ran during backward)
    if (config.grad_clip_norm > 0) torch::nn::utils::clip_grad_norm_(model->parameters(), config.grad_clip_norm);
    optimizer.step();
    loss_sum.add_(loss.detach().to(at::kDouble));
    correct.add_(logits.detach().argmax(1).eq(mixed.labels).sum());
    return loss;
  };
  // On CUDA the step is recorded once as a graph and replayed (see graphed_step.h), unless it needs the
  // host in the middle: mixup/cutmix draw on the host, gradient clipping reads the norm back, and
  // data-parallel steps start their all-reduces from the host (gradient hooks).
  std::unique_ptr<GraphedTrainStep> graphed;
  GraphableOptimizer* const graphable = train_optimizer.graphable();
  if (device.is_cuda() && GraphedTrainStep::available() && graphable && !parallel && config.mixup_alpha == 0 &&
      config.cutmix_alpha == 0 && config.grad_clip_norm == 0 && std::getenv("FOVEA_NO_CUDA_GRAPHS") == nullptr) {
    graphable->use_device_learning_rates(optimizer.param_groups().size(), device);
    graphed = std::make_unique<GraphedTrainStep>(
        [&](const at::Tensor& images, const at::Tensor& labels) { return train_on({images, labels, labels, 1.0}); },
        [graphable] { graphable->count_replayed_step(); });
    say(observer, log::Level::Info, "training steps run as a CUDA graph");
  }

  // FOVEA_TRAIN_TRACE=FILE[,FIRST,COUNT]: a Kineto trace of training steps (default 200-219), for profiling.
  KinetoTrace trace("FOVEA_TRAIN_TRACE", 200, 20);
  for (int epoch = start.epoch + 1; epoch <= epochs; ++epoch) {
    const int64_t epoch_steps = std::min(steps_per_epoch, total_steps - static_cast<int64_t>(epoch - 1) * steps_per_epoch);
    const auto epoch_start = Clock::now();
    model->train();
    source->start_epoch(epoch, batch, drawn);
    int64_t images_seen = 0;
    loss_sum.zero_();
    correct.zero_();
    double lr = config.learning_rate;
    progress.state().epoch = epoch;
    progress.state().phase = "train";
    // airbench94 trains the whitening bias for the first epochs only (its weights never train).
    if (airbench && config.whiten_bias_epochs > 0) {
      at::Tensor& bias = airbench->whitening()->bias;
      const bool trains = epoch <= config.whiten_bias_epochs;
      if (bias.requires_grad() != trains && graphed) graphed->reset();  // the step's work changes
      bias.set_requires_grad(trains);
      // Frozen means still: without a gradient the optimizer skips it (LibTorch 1.x's zero_grad keeps a zero
      // one, which momentum and decay would go on moving), as PyTorch's zero_grad(set_to_none) does.
      if (!trains) bias.mutable_grad() = at::Tensor();
    }

    for (int64_t s = 0; s < epoch_steps; ++s) {
      trace.before_step(step);
      control.checkpoint();
      const TrainBatch next = source->batch(s, drawn + static_cast<uint64_t>(rank * batch));
      drawn += static_cast<uint64_t>(batch * ranks);
      lr = learning_rate_at(schedule, config.learning_rate, step);
      const at::Tensor& labels = next.labels;
      if (labels.size(0) == 0 && parallel) {  // the other ranks' gradients still make this rank's step
        train_optimizer.set_learning_rate(lr);
        optimizer.zero_grad();
        parallel->contribute_zero_gradients();
        if (config.grad_clip_norm > 0) torch::nn::utils::clip_grad_norm_(model->parameters(), config.grad_clip_norm);
        optimizer.step();
        if (ema) ema->update(*model);
        ++step;
        if (lookahead) lookahead->after_step(*model, step);
        continue;
      }
      if (labels.size(0) == 0) {  // every file of the batch was undecodable: the step passes without data
        ++step;
        continue;
      }
      images_seen += labels.size(0);
      train_optimizer.set_learning_rate(lr);
      const at::Tensor loss = graphed ? graphed->run(next.images, labels)
                                      : train_on(mix_batch(next.images, labels, mixing, static_cast<uint64_t>(step)));
      if (ema) ema->update(*model);
      ++step;
      if (lookahead) lookahead->after_step(*model, step);
      losses.push(loss, {step, epoch, lr});
      losses.drain(report_loss, false);

      const double elapsed = train_seconds + seconds_since(epoch_start);
      Progress& p = progress.state();
      p.step = step;
      p.step_in_epoch = s + 1;
      p.elapsed_seconds = seconds_since(run_start);
      const int64_t steps_this_run = step - start.step;
      p.images_per_second = elapsed > 0 ? static_cast<double>(steps_this_run * batch * ranks) / elapsed : 0;
      p.eta_seconds = elapsed / static_cast<double>(steps_this_run) * static_cast<double>(total_steps - step);
      progress.send(s + 1 == epoch_steps);
    }
    if (lookahead) lookahead->end_epoch(*model);
    losses.drain(report_loss, true);
    source->finish_epoch();
    const double epoch_train_seconds = seconds_since(epoch_start);
    train_seconds += epoch_train_seconds;

    // The epoch's sums over all ranks; BatchNorm statistics (per rank while training) become rank 0's,
    // so that every rank evaluates, and rank 0 saves, one model.
    double epoch_loss_sum = loss_sum.item<double>(), epoch_correct = static_cast<double>(correct.item<int64_t>());
    double epoch_images = static_cast<double>(images_seen);
    if (parallel) {
      const std::vector<double> total = parallel->sum({epoch_loss_sum, epoch_correct, epoch_images});
      epoch_loss_sum = total[0] / ranks;  // a mean of the ranks' step losses
      epoch_correct = total[1];
      epoch_images = total[2];
      parallel->sync_buffers(*model);
      if (ema) parallel->sync_buffers(ema->model());
      parallel->check_agreement(*model);  // one broadcast of the weights per epoch: cheap next to its steps
      say(observer, log::Level::Info,
          "epoch " + std::to_string(epoch) + ": weights identical on all " + std::to_string(ranks) + " ranks");
    }

    progress.state().phase = "evaluate";
    progress.send(true);
    if (config.precise_bn > 0 && data.crop_pct == 0) {  // in-memory data: the images are at hand
      const at::Tensor images = source->plain_train_images(std::min(config.precise_bn, data.train_images));
      recompute_batch_norm_statistics(
          *model,
          [&](const at::Tensor& x) {
            const compat::CudaBf16Autocast autocast(mixed_precision);
            model->forward(channels_last ? x.contiguous(at::MemoryFormat::ChannelsLast) : x);
          },
          images, batch);
    }
    // Each rank evaluates its share of the test set; the results add up to the whole set's. Test-time
    // augmentation (several passes per image) is for the final figure, as airbench reports it: the epochs
    // before the last are evaluated plainly.
    const bool with_tta = epoch == epochs;
    const auto evaluation_start = Clock::now();
    EvaluationResult eval = source->evaluate(*model, true, with_tta, control);
    if (parallel) eval = parallel->reduce(std::move(eval));
    EvaluationResult ema_eval;
    if (ema) ema_eval = source->evaluate(ema->model(), false, with_tta, control);
    if (ema && parallel) ema_eval = parallel->reduce(std::move(ema_eval));
    if (epoch == epochs) {
      summary.timed_init_seconds = init_seconds;
      summary.timed_evaluation_seconds = seconds_since(evaluation_start);
      summary.timed_seconds = init_seconds + train_seconds + summary.timed_evaluation_seconds;
    }

    EpochMetrics metrics;
    metrics.epoch = epoch;
    metrics.train_loss = epoch_loss_sum / static_cast<double>(epoch_steps);
    metrics.train_accuracy = epoch_correct / std::max(1.0, epoch_images);
    metrics.test_loss = eval.loss;
    metrics.test_accuracy = eval.accuracy;
    metrics.learning_rate = lr;
    metrics.seconds = seconds_since(epoch_start);
    metrics.images_per_second = static_cast<double>(epoch_steps * batch * ranks) / epoch_train_seconds;
    metrics.num_classes = num_classes;
    metrics.confusion = eval.confusion;
    if (ema) {
      metrics.ema_test_loss = ema_eval.loss;
      metrics.ema_test_accuracy = ema_eval.accuracy;
    }

    if (!out_dir.empty()) {
      progress.state().phase = "checkpoint";
      progress.send(true);
      char name[32];
      std::snprintf(name, sizeof name, "epoch-%03d.safetensors", epoch);
      metrics.checkpoint = (std::filesystem::path(out_dir) / name).string();
      std::map<std::string, at::Tensor> resume_state = optimizer_state_tensors(optimizer, *model, config.optimizer);
      resume_state.merge(rng_state_tensors(device));
      if (ema) resume_state.merge(ema->state_tensors());
      const RunPosition position{epoch, step, steps_per_epoch, total_steps};
      save_checkpoint(metrics.checkpoint, *model, training_metadata(config, data, metrics, position), resume_state);
      summary.checkpoint = metrics.checkpoint;
    }
    observer.on_epoch(metrics);
    observer.on_predictions({epoch, data.info.class_names, eval.samples});
    say(observer, log::Level::Info,
        "epoch " + std::to_string(epoch) + "/" + std::to_string(epochs) + ": train loss " +
            fixed(metrics.train_loss, 4) + ", train acc " + fixed(100 * metrics.train_accuracy, 2) + "%, test loss " +
            fixed(metrics.test_loss, 4) + ", test acc " + fixed(100 * metrics.test_accuracy, 2) + "%, " +
            (ema ? "EMA test acc " + fixed(100 * metrics.ema_test_accuracy, 2) + "%, " : "") +
            fixed(metrics.images_per_second, 0) + " img/s" +
            (metrics.checkpoint.empty() ? "" : ", saved " + metrics.checkpoint));

    summary.epochs_completed = epoch;
    summary.train_loss = metrics.train_loss;
    summary.test_loss = metrics.test_loss;
    summary.test_accuracy = metrics.test_accuracy;
    summary.ema_test_accuracy = metrics.ema_test_accuracy;
  }
  summary.seconds = seconds_since(run_start);
  summary.images_per_second = train_seconds > 0 ? static_cast<double>((step - start.step) * batch * ranks) / train_seconds : 0;
  if (parallel) summary.device += ", " + parallel->describe();
  job_observer.on_finished(summary);  // every rank's process learns that the run finished
  return summary;
}

std::unique_ptr<Job> make_train_job(TrainConfig config, JobObserver& observer) {
  return std::make_unique<Job>(
      [config = std::move(config)](JobControl& control, JobObserver& obs) {
        try {
          train(config, control, obs);
        } catch (const c10::Error& e) {
          // By now the run's model, optimizer and batches are freed: their memory is back in the allocator.
          const std::string advice = out_of_memory_advice(e, "training", config.batch_size);
          throw Error(advice.empty() ? e.what_without_backtrace() : advice);  // without LibTorch's backtrace
        }
      },
      observer);
}

}  // namespace fovea::engine
