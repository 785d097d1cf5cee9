// fovea-bench-pipeline: throughput of the evaluation input pipeline (decode, resize, center crop in
// worker threads; normalise on the device) over a folder data set, as timm's validate.py feeds a GPU.
//   fovea-bench-pipeline DATA [--model resnet18] [--batch 256] [--threads N] [--device cpu|cuda] [--passes 2]
// Prints images/s per pass; the first pass warms the page cache (the files are read from memory after).
// FOVEA_GPU_DECODE=1: JPEGs decoded, resized and cropped on the GPU (engine/data/gpu_jpeg_batches.h).
// FOVEA_COMPARE_DECODERS=1: instead, every image's crop from the GPU path against the CPU path's (libjpeg,
// as PIL): the largest difference in grey levels and the share of values that differ by more than one.
// --trace FILE (with FOVEA_GPU_DECODE=1, LibTorch 2.x): a Chrome trace (Kineto) of 40 more batches, every
// kernel of the decoding side included (bench/parity/trace_kernels.py sums GPU time per kernel).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include <ATen/ATen.h>

#include "models/torch_compat.h"
#if FOVEA_TORCH_AT_LEAST(2, 0)
#include <torch/csrc/autograd/profiler_kineto.h>
#endif

#include "engine/data/bgr_decode.h"
#include "engine/data/dataset_info.h"
#include "engine/data/gpu_jpeg_batches.h"
#include "engine/data/image_batches.h"
#include "engine/data/jpeg_rgb_decode.h"
#include "engine/device.h"
#include "engine/errors.h"

int main(int argc, char** argv) {
  using namespace fovea;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DATA [--model M] [--batch B] [--threads N] [--device D] [--passes P]\n", argv[0]);
    return 2;
  }
  std::string model = "resnet18", device_name = "cpu", trace;
  engine::ImageBatchOptions options;
  int passes = 2;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--model") model = value;
    else if (flag == "--batch") options.batch_size = std::atoll(value.c_str());
    else if (flag == "--threads") options.threads = std::atoi(value.c_str());
    else if (flag == "--device") device_name = value;
    else if (flag == "--passes") passes = std::atoi(value.c_str());
    else if (flag == "--trace") trace = value;
  }
  try {
    const c10::Device device = engine::resolve_device(device_name);
    options.pinned_memory = device.is_cuda();
    options.decode_only = device.is_cuda() && std::getenv("FOVEA_RESIZE_ON_CPU") == nullptr;
    const engine::DatasetInfo info = engine::probe_dataset(argv[1]);
    const auto files = info.test_images ? info.test_images : info.train_images;
    if (!files) throw engine::DatasetError(std::string(argv[1]) + ": not a folder of images");
    const models::ModelEntry* entry = models::find_model(model);
    if (!entry) throw engine::ConfigError("unknown model " + model);
    const engine::EvalTransform transform = engine::eval_transform(entry->preprocessing);
    const auto& p = entry->preprocessing;
    const at::Tensor mean = at::tensor({float(p.mean[0]), float(p.mean[1]), float(p.mean[2])}).view({1, 3, 1, 1}).to(device);
    const at::Tensor std = at::tensor({float(p.std[0]), float(p.std[1]), float(p.std[2])}).view({1, 3, 1, 1}).to(device);
    std::printf("%zu images in %s; %s eval transform: resize %lld %s, crop %lld; batch %lld; device %s; resize on %s\n",
                files->size(),
                info.root.c_str(), model.c_str(), static_cast<long long>(transform.resize),
                engine::interpolation_name(transform.interpolation), static_cast<long long>(transform.crop),
                static_cast<long long>(options.batch_size), engine::describe_device(device).c_str(),
                options.decode_only ? "the device" : "the CPU workers");
    {
      // Where one core's time goes, over the first 200 files: decoding (with BGR->RGB) and resize + crop.
      double decode = 0, transform_time = 0;
      const size_t n = std::min<size_t>(200, files->size());
      for (size_t i = 0; i < n; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        const at::Tensor rgb = engine::read_rgb_image(files->path(i));
        const auto t1 = std::chrono::steady_clock::now();
        const at::Tensor crop = engine::apply_eval_transform(rgb, transform);
        const auto t2 = std::chrono::steady_clock::now();
        decode += std::chrono::duration<double, std::milli>(t1 - t0).count();
        transform_time += std::chrono::duration<double, std::milli>(t2 - t1).count();
      }
      // The same files through OpenCV's decoder, which the direct libjpeg path replaces (bytes already read).
      double opencv = 0;
      for (size_t i = 0; i < n; ++i) {
        const std::vector<uint8_t> bytes = engine::read_image_bytes(files->path(i));
        const auto t0 = std::chrono::steady_clock::now();
        const cv::Mat bgr = engine::decode_bgr(bytes.data(), bytes.size(), files->path(i));
        opencv += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      }
      std::printf("one core, %zu files: decode %.3f ms/image (%s; OpenCV's imdecode alone %.3f), resize + crop "
                  "%.3f ms/image\n",
                  n, decode / n, engine::direct_jpeg_decoding_available() ? "libjpeg direct" : "through OpenCV",
                  opencv / n, transform_time / n);
    }
    if (std::getenv("FOVEA_COMPARE_DECODERS") != nullptr) {
      engine::GpuJpegBatches loader(*files, {}, transform, options.batch_size, device);
      int64_t values = 0, over_one = 0, images = 0;
      int max_difference = 0;
      while (auto batch = loader.next()) {
        const at::Tensor gpu = batch->crops.cpu().to(at::kInt);
        for (size_t i = 0; i < batch->positions.size(); ++i) {
          const at::Tensor cpu = engine::apply_eval_transform(
              engine::read_rgb_image(files->path(static_cast<size_t>(batch->positions[i]))), transform).to(at::kInt);
          const at::Tensor difference = (gpu[static_cast<int64_t>(i)] - cpu).abs();
          max_difference = std::max(max_difference, difference.max().item<int>());
          over_one += difference.gt(1).sum().item<int64_t>();
          values += difference.numel();
          ++images;
        }
      }
      std::printf("GPU vs CPU decoding, %lld images: largest difference %d grey levels; %.4f %% of values differ by more than 1\n",
                  static_cast<long long>(images), max_difference, 100.0 * static_cast<double>(over_one) / static_cast<double>(std::max<int64_t>(1, values)));
      return 0;
    }
    const bool gpu_decode = std::getenv("FOVEA_GPU_DECODE") != nullptr;
    for (int pass = 0; pass < passes && gpu_decode; ++pass) {
      const auto start = std::chrono::steady_clock::now();
      engine::GpuJpegBatches loader(*files, {}, transform, options.batch_size, device);
      int64_t images = 0, failed = 0;
      double checksum = 0;
      while (auto batch = loader.next()) {
        const at::Tensor input = (batch->crops.permute({0, 3, 1, 2}).to(at::kFloat) / 255 - mean) / std;
        checksum += input.sum().item<double>();
        images += batch->crops.size(0);
        failed += static_cast<int64_t>(batch->failures.size());
      }
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf("pass %d: %lld images (%lld failed) in %.2f s: %.0f images/s (GPU decode, checksum %.6g)\n", pass + 1,
                  static_cast<long long>(images), static_cast<long long>(failed), seconds, images / seconds, checksum);
    }
#if FOVEA_TORCH_AT_LEAST(2, 0)
    if (gpu_decode && !trace.empty()) {
      namespace prof = torch::autograd::profiler;
      const prof::ProfilerConfig config(torch::profiler::impl::ProfilerState::KINETO, false, false);
      const std::set<torch::profiler::impl::ActivityType> activities{torch::profiler::impl::ActivityType::CUDA};
      engine::GpuJpegBatches loader(*files, {}, transform, options.batch_size, device);
      for (int b = 0; b < 4 && loader.next(); ++b) {}  // the decoding threads are under way
      prof::prepareProfiler(config, activities);
      prof::enableProfiler(config, activities);
      const auto start = std::chrono::steady_clock::now();
      int64_t images = 0;
      for (int b = 0; b < 40; ++b) {
        auto batch = loader.next();
        if (!batch) break;
        (void)batch->crops.sum().item<int64_t>();
        images += batch->crops.size(0);
      }
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      prof::disableProfiler()->save(trace);
      std::printf("traced %lld images in %.2f s (%.0f images/s under the profiler): %s\n", static_cast<long long>(images),
                  seconds, images / seconds, trace.c_str());
    }
#endif
    for (int pass = 0; pass < passes && !gpu_decode; ++pass) {
      const auto start = std::chrono::steady_clock::now();
      engine::ImageBatchLoader loader(*files, {}, transform, options);
      int64_t images = 0, failed = 0;
      double checksum = 0;
      while (auto batch = loader.next()) {
        // What evaluation does next: an asynchronous copy and normalisation on the device.
        const at::Tensor crops = engine::crops_on_device(*batch, transform, device);
        const at::Tensor input = (crops.permute({0, 3, 1, 2}).to(at::kFloat) / 255 - mean) / std;
        checksum += input.sum().item<double>();
        images += crops.size(0);
        failed += static_cast<int64_t>(batch->failures.size());
      }
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf("pass %d: %lld images (%lld failed) in %.2f s: %.0f images/s (threads %d, checksum %.6g)\n", pass + 1,
                  static_cast<long long>(images), static_cast<long long>(failed), seconds, images / seconds,
                  options.threads, checksum);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fovea-bench-pipeline: %s\n", e.what());
    return 1;
  }
  return 0;
}
