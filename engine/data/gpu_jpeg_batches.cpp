#include "engine/data/gpu_jpeg_batches.h"

#include "engine/data/image_header.h"
#include "engine/errors.h"

#if defined(FOVEA_TORCH_CUDA) && defined(FOVEA_HAVE_NVJPEG)
#include <ATen/ATen.h>
#include <ATen/cuda/CUDAEvent.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include "engine/log.h"
#include "kernels/jpeg_decoder.h"
#endif

namespace fovea::engine {

#if defined(FOVEA_TORCH_CUDA) && defined(FOVEA_HAVE_NVJPEG)
namespace {

constexpr int kReaders = 6;           // reading from the page cache is cheap: a few threads keep up
constexpr int kDecoders = 3;          // each with its nvJPEG state and CUDA stream: the header checks, decode
                                      // calls and resize launches of one batch overlap the others' GPU work
                                      // (FOVEA_JPEG_DECODERS overrides it, for measuring)
constexpr int64_t kAhead = 4;  // batches of bytes waiting for the decoding threads, and decoded batches
                               // waiting for the consumer (FOVEA_GPU_DECODE_AHEAD overrides it, for measuring)

struct RawBatch {
  std::vector<std::vector<uint8_t>> bytes;
  std::vector<int64_t> labels, positions;
  std::vector<std::string> failures;
};

struct ReadyBatch {
  DeviceImageBatch batch;
  at::cuda::CUDAEvent done;
};

bool read_file(const std::string& path, std::vector<uint8_t>& out) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return false;
  bool ok = std::fseek(file, 0, SEEK_END) == 0;
  const long size = ok ? std::ftell(file) : -1;
  ok = ok && size >= 0 && std::fseek(file, 0, SEEK_SET) == 0;
  if (ok) {
    out.resize(static_cast<size_t>(size));
    ok = std::fread(out.data(), 1, out.size(), file) == out.size();
  }
  std::fclose(file);
  return ok;
}

}  // namespace

struct GpuJpegBatches::State {
  const ImageFileList& files;
  std::vector<int64_t> order;
  EvalTransform transform;
  int64_t batch_size;
  at::Device device;
  int64_t batches = 0;
  int64_t ahead = kAhead;
  std::vector<std::unique_ptr<kernels::GpuJpegDecoder>> decoders;  // one per decoding thread, made there
  int decoders_started = 0, decoders_failed = 0;  // under the mutex
  bool on_engines = false;                        // the JPEG engines decode (not nvJPEG's hybrid backend)
  std::string start_error;
  const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  std::mutex mutex;
  std::condition_variable changed;
  bool stopping = false;
  std::exception_ptr error;
  int64_t next_to_read = 0;     // the batch the next free reader takes
  int64_t next_to_decode = 0;   // the batch the next free decoding thread takes
  std::map<int64_t, RawBatch> read;
  std::map<int64_t, std::unique_ptr<ReadyBatch>> decoded;  // by batch: the decoding threads finish out of order
  int64_t handed_out = 0;
  std::vector<std::thread> threads;

  State(const ImageFileList& f, std::vector<int64_t> o, EvalTransform t, int64_t b, at::Device d)
      : files(f), order(std::move(o)), transform(t), batch_size(b), device(d) {}

  void read_batches() {
    for (;;) {
      int64_t b;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return stopping || next_to_read >= batches || next_to_read < next_to_decode + ahead; });
        if (stopping || next_to_read >= batches) return;
        b = next_to_read++;
      }
      RawBatch raw;
      const int64_t first = b * batch_size, last = std::min<int64_t>(first + batch_size, static_cast<int64_t>(order.size()));
      for (int64_t i = first; i < last; ++i) {
        const auto position = static_cast<size_t>(order[static_cast<size_t>(i)]);
        std::vector<uint8_t> bytes;
        if (!read_file(files.path(position), bytes)) {
          raw.failures.push_back(files.path(position) + ": cannot be read");
          continue;
        }
        raw.bytes.push_back(std::move(bytes));
        raw.labels.push_back(files.label(position));
        raw.positions.push_back(static_cast<int64_t>(position));
      }
      std::lock_guard lock(mutex);
      read.emplace(b, std::move(raw));
      changed.notify_all();
    }
  }

  // One batch's crops on the decoding stream: the GPU decodes what it can, the CPU the rest.
  at::Tensor decode(RawBatch& raw, kernels::GpuJpegDecoder& decoder, const c10::cuda::CUDAStream& stream) {
    const size_t n = raw.bytes.size();
    std::vector<int> widths(n, 0), heights(n, 0);
    std::vector<size_t> on_gpu, on_cpu;
    int64_t total = 0;
    for (size_t i = 0; i < n; ++i) {
      // Images over the pixel limit go to the CPU path, which refuses them with a message.
      if (decoder.probe(raw.bytes[i].data(), raw.bytes[i].size(), &widths[i], &heights[i]) &&
          static_cast<int64_t>(widths[i]) * heights[i] <= kMaxImagePixels) {
        on_gpu.push_back(i);
        total += static_cast<int64_t>(widths[i]) * heights[i] * 3;
      } else {
        on_cpu.push_back(i);
      }
    }
    std::vector<at::Tensor> images(n);
    at::Tensor buffer_of_batch;  // the GPU-decoded images, one after the other in batch order
    if (!on_gpu.empty()) {
      const at::Tensor buffer = at::empty({total}, at::TensorOptions(at::kByte).device(device));
      buffer_of_batch = buffer;
      std::vector<const uint8_t*> data;
      std::vector<size_t> lengths;
      std::vector<uint8_t*> out;
      std::vector<int> row_widths;
      int64_t offset = 0;
      for (const size_t i : on_gpu) {
        const int64_t size = static_cast<int64_t>(widths[i]) * heights[i] * 3;
        images[i] = buffer.narrow(0, offset, size).view({heights[i], widths[i], 3});
        data.push_back(raw.bytes[i].data());
        lengths.push_back(raw.bytes[i].size());
        out.push_back(buffer.data_ptr<uint8_t>() + offset);
        row_widths.push_back(widths[i]);
        offset += size;
      }
      try {
        const at::Tensor planes = at::empty({total}, at::TensorOptions(at::kByte).device(device));
        decoder.decode(data, lengths, out, row_widths, planes.data_ptr<uint8_t>(), stream.stream());
      } catch (const std::exception&) {
        // A file the header check let through is corrupt: decode this batch on the CPU, file by file.
        on_cpu.insert(on_cpu.end(), on_gpu.begin(), on_gpu.end());
        on_gpu.clear();
      }
    }
    std::vector<bool> failed(n, false);
    for (const size_t i : on_cpu) {
      try {
        const std::string name = files.path(static_cast<size_t>(raw.positions[i]));
        images[i] = decode_rgb_image(raw.bytes[i].data(), raw.bytes[i].size(), name).to(device);
      } catch (const std::exception& e) {
        raw.failures.push_back(e.what());
        failed[i] = true;
      }
    }
    // All decoded here and of one size (the usual case): the decode buffer already is the batch.
    if (on_cpu.empty() && !on_gpu.empty()) {
      const int64_t h = images[0].size(0), w = images[0].size(1);
      const bool one_size = std::all_of(images.begin(), images.end(), [&](const at::Tensor& image) {
        return image.size(0) == h && image.size(1) == w;
      });
      if (one_size) return apply_eval_transform_batch(buffer_of_batch.view({static_cast<int64_t>(n), h, w, 3}), transform);
    }
    // Resize and crop, equally sized images together (ImageNet has a few common sizes).
    std::vector<at::Tensor> decoded;
    std::vector<size_t> kept;
    for (size_t i = 0; i < n; ++i) {
      if (failed[i]) continue;
      decoded.push_back(images[i]);
      kept.push_back(i);
    }
    const at::Tensor crops = decoded.empty()
        ? at::empty({0, transform.crop, transform.crop, 3}, at::TensorOptions(at::kByte).device(device))
        : apply_eval_transform_grouped(decoded, transform);
    if (kept.size() != n) {
      std::vector<int64_t> labels, positions;
      for (const size_t i : kept) {
        labels.push_back(raw.labels[i]);
        positions.push_back(raw.positions[i]);
      }
      raw.labels = std::move(labels);
      raw.positions = std::move(positions);
    }
    return crops;
  }

  void decode_batches(std::unique_ptr<kernels::GpuJpegDecoder>& own) {
    const c10::cuda::CUDAGuard device_guard(device.index());
    try {  // each thread starts its own decoder (a few hundred milliseconds), all at once
      own = std::make_unique<kernels::GpuJpegDecoder>();
    } catch (const std::exception& e) {
      std::lock_guard lock(mutex);
      ++decoders_failed;
      start_error = e.what();
      changed.notify_all();
      return;  // the other threads decode, or the constructor reports that none could start
    }
    {
      std::lock_guard lock(mutex);
      ++decoders_started;
      on_engines = own->hardware();
      changed.notify_all();
    }
    log::debug("GPU JPEG decoding thread ready after " +
               std::to_string(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()) + " s");
    try {
      kernels::GpuJpegDecoder& decoder = *own;
      // High priority: the decode side's few short kernels (colour conversion, resize) get the GPU's cores
      // between the model's kernels instead of queueing behind a whole forward pass, which would hold the
      // next batch back (FOVEA_DECODE_NORMAL_PRIORITY=1 turns it off, for measuring).
      const bool high_priority = std::getenv("FOVEA_DECODE_NORMAL_PRIORITY") == nullptr;
      const c10::cuda::CUDAStream stream = c10::cuda::getStreamFromPool(high_priority, device.index());
      const c10::cuda::CUDAStreamGuard stream_guard(stream);
      for (;;) {
        RawBatch raw;
        int64_t b;
        {
          std::unique_lock lock(mutex);
          changed.wait(lock, [&] {
            return stopping || next_to_decode >= batches ||
                   (read.count(next_to_decode) && next_to_decode < handed_out + ahead);
          });
          if (stopping || next_to_decode >= batches) return;
          b = next_to_decode++;
          raw = std::move(read.at(b));
          read.erase(b);
          changed.notify_all();
        }
        auto ready = std::make_unique<ReadyBatch>();
        ready->batch.crops = decode(raw, decoder, stream);
        ready->batch.labels = std::move(raw.labels);
        ready->batch.positions = std::move(raw.positions);
        ready->batch.failures = std::move(raw.failures);
        ready->done.record(stream);
        std::lock_guard lock(mutex);
        decoded.emplace(b, std::move(ready));
        changed.notify_all();
      }
    } catch (...) {
      std::lock_guard lock(mutex);
      error = std::current_exception();
      changed.notify_all();
    }
  }
};

bool GpuJpegBatches::available(const at::Device& device) {
  return device.is_cuda() && kernels::GpuJpegDecoder::compiled();
}

GpuJpegBatches::GpuJpegBatches(const ImageFileList& files, std::vector<int64_t> order, EvalTransform transform,
                               int64_t batch_size, const at::Device& device) {
  if (order.empty())
    for (size_t i = 0; i < files.size(); ++i) order.push_back(static_cast<int64_t>(i));
  const at::Device on(device.type(), device.has_index() ? device.index() : c10::cuda::current_device());
  state_ = std::make_unique<State>(files, std::move(order), transform, std::max<int64_t>(1, batch_size), on);
  State& s = *state_;
  s.batches = (static_cast<int64_t>(s.order.size()) + s.batch_size - 1) / s.batch_size;
  if (const char* ahead = std::getenv("FOVEA_GPU_DECODE_AHEAD")) s.ahead = std::clamp<int64_t>(std::atoll(ahead), 1, 64);
  const char* wanted = std::getenv("FOVEA_JPEG_DECODERS");
  const int decoders = wanted ? std::clamp(std::atoi(wanted), 1, 16) : kDecoders;
  s.decoders.resize(static_cast<size_t>(decoders));
  for (auto& decoder : s.decoders) s.threads.emplace_back([&s, &decoder] { s.decode_batches(decoder); });
  for (int t = 0; t < kReaders; ++t) s.threads.emplace_back([&s] { s.read_batches(); });
  // Ready once one decoder has started; an Error when none can (a GPU without nvJPEG), which the caller
  // can fall back from.
  std::unique_lock lock(s.mutex);
  s.changed.wait(lock, [&] { return s.decoders_started > 0 || s.decoders_failed == decoders; });
  if (s.decoders_started == 0) {
    s.stopping = true;
    lock.unlock();
    s.changed.notify_all();
    for (auto& thread : s.threads) thread.join();
    throw Error("the GPU JPEG decoder cannot start: " + s.start_error);
  }
  log::write(log::Level::Info, "JPEGs decoded on the GPU by " + std::to_string(decoders) + " threads, nvJPEG " +
                                   (s.on_engines ? "on the JPEG engines" : "hybrid (Huffman on the CPU)"));
}

GpuJpegBatches::~GpuJpegBatches() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
  }
  state_->changed.notify_all();
  for (auto& thread : state_->threads) thread.join();
}

std::optional<DeviceImageBatch> GpuJpegBatches::next() {
  State& s = *state_;
  std::unique_ptr<ReadyBatch> ready;
  {
    std::unique_lock lock(s.mutex);
    if (s.handed_out >= s.batches) return std::nullopt;
    s.changed.wait(lock, [&] { return s.error || s.decoded.count(s.handed_out); });
    if (s.error) std::rethrow_exception(s.error);
    const auto it = s.decoded.find(s.handed_out);
    ready = std::move(it->second);
    s.decoded.erase(it);
    ++s.handed_out;
    s.changed.notify_all();
  }
  // The consumer's stream waits for the decoding stream, and the crops' memory stays reserved until the
  // consumer's stream is done with it.
  const c10::cuda::CUDAStream current = c10::cuda::getCurrentCUDAStream(s.device.index());
  ready->done.block(current);
  ready->batch.crops.record_stream(current);
  return std::move(ready->batch);
}

int64_t GpuJpegBatches::batch_count() const { return state_->batches; }

struct NonBlockingStreamScope::State {
  explicit State(const c10::cuda::CUDAStream& stream) : guard(stream) {}
  c10::cuda::CUDAStreamGuard guard;
};

NonBlockingStreamScope::NonBlockingStreamScope(const at::Device& device) {
  if (!device.is_cuda() || std::getenv("FOVEA_EVAL_DEFAULT_STREAM") != nullptr) return;
  const auto index = device.has_index() ? device.index() : c10::cuda::current_device();
  state_ = std::make_unique<State>(c10::cuda::getStreamFromPool(false, index));
}

NonBlockingStreamScope::~NonBlockingStreamScope() = default;
#else
struct GpuJpegBatches::State {};

bool GpuJpegBatches::available(const at::Device&) { return false; }

GpuJpegBatches::GpuJpegBatches(const ImageFileList&, std::vector<int64_t>, EvalTransform, int64_t, const at::Device&) {
  throw Error("this build cannot decode JPEGs on the GPU (it needs a CUDA LibTorch and nvJPEG)");
}

GpuJpegBatches::~GpuJpegBatches() = default;

std::optional<DeviceImageBatch> GpuJpegBatches::next() { return std::nullopt; }

int64_t GpuJpegBatches::batch_count() const { return 0; }

struct NonBlockingStreamScope::State {};

NonBlockingStreamScope::NonBlockingStreamScope(const at::Device&) {}

NonBlockingStreamScope::~NonBlockingStreamScope() = default;
#endif

}  // namespace fovea::engine
