#include "engine/data/image_batches.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include "engine/device.h"

namespace fovea::engine {
namespace {

// Images per task: small enough that all workers share a batch, large enough to keep locking rare.
constexpr int64_t kChunk = 16;

// One batch being filled: workers write disjoint rows of `images`.
struct Slot {
  at::Tensor images;                // rows of crops, or
  std::vector<at::Tensor> decoded;  // whole images (decode_only)
  std::vector<uint8_t> cropped;     // per row, decode_only: the worker cropped this one (ImageBatch::cropped)
  std::vector<std::string> errors;  // per row; empty when the image was decoded
  int64_t chunks_left = 0;
};

}  // namespace

struct ImageBatchLoader::State {
  const ImageFileList& files;
  std::vector<int64_t> order;
  int64_t crop;
  PerImageTransform transform;
  ImageBatchOptions options;
  int64_t batches = 0, chunks_per_batch = 0, tasks = 0, window = 0;

  std::mutex mutex;
  std::condition_variable work_changed, batch_done;
  int64_t next_task = 0, returned = 0;
  bool stopping = false;
  std::exception_ptr failure;
  std::map<int64_t, std::shared_ptr<Slot>> slots;
  std::vector<std::thread> workers;

  State(const ImageFileList& f, std::vector<int64_t> o, int64_t c, PerImageTransform t, ImageBatchOptions opt)
      : files(f), order(std::move(o)), crop(c), transform(std::move(t)), options(opt) {}

  int64_t batch_size_of(int64_t batch) const {
    return std::min<int64_t>(options.batch_size, static_cast<int64_t>(order.size()) - batch * options.batch_size);
  }

  std::shared_ptr<Slot> slot_for(int64_t batch) {  // under the lock
    auto& slot = slots[batch];
    if (!slot) {
      slot = std::make_shared<Slot>();
      const auto rows = batch_size_of(batch);
      if (options.decode_only) {
        slot->decoded.resize(static_cast<size_t>(rows));
        slot->cropped.assign(static_cast<size_t>(rows), 0);
      } else {
        slot->images = at::empty({rows, crop, crop, 3},
                                 at::TensorOptions(at::kByte).pinned_memory(options.pinned_memory));
      }
      slot->errors.resize(static_cast<size_t>(rows));
      slot->chunks_left = (rows + kChunk - 1) / kChunk;
    }
    return slot;
  }

  void load_rows(Slot& slot, int64_t batch, int64_t first_row, int64_t end_row) {
    for (int64_t row = first_row; row < end_row; ++row) {
      const int64_t index = batch * options.batch_size + row;
      const auto position = static_cast<size_t>(order[static_cast<size_t>(index)]);
      try {
        if (options.decode_only) {
          at::Tensor rgb = read_rgb_image(files.path(position), options.pinned_memory);
          if (rgb.size(0) * rgb.size(1) > kMaxPixelsResizedOnDevice) {
            rgb = transform(rgb, index);
            slot.cropped[static_cast<size_t>(row)] = 1;
          }
          slot.decoded[static_cast<size_t>(row)] = std::move(rgb);
        } else {
          slot.images[row].copy_(transform(read_rgb_image(files.path(position)), index));
        }
      } catch (const std::exception& e) {
        std::string message = e.what();
        slot.errors[static_cast<size_t>(row)] = message.empty() ? files.path(position) + ": unreadable" : message;
      }
    }
  }

  void work() {
    use_one_cpu_core_on_this_thread();
    std::unique_lock lock(mutex);
    while (true) {
      work_changed.wait(lock, [&] {
        return stopping || next_task >= tasks || next_task / chunks_per_batch < returned + window;
      });
      if (stopping || next_task >= tasks) return;
      const int64_t task = next_task++;
      const int64_t batch = task / chunks_per_batch, chunk = task % chunks_per_batch;
      // A short (last) batch has fewer chunks: counting the missing ones as done would hand the batch out
      // before its rows are written.
      if (chunk * kChunk >= batch_size_of(batch)) continue;
      std::shared_ptr<Slot> slot;
      try {
        slot = slot_for(batch);
      } catch (...) {
        failure = std::current_exception();
        batch_done.notify_all();
        return;
      }
      lock.unlock();
      const int64_t first = chunk * kChunk, end = std::min(first + kChunk, static_cast<int64_t>(slot->errors.size()));
      load_rows(*slot, batch, first, end);
      lock.lock();
      if (--slot->chunks_left <= 0) batch_done.notify_all();
    }
  }
};

at::Tensor crops_on_device(const ImageBatch& batch, const EvalTransform& transform, const at::Device& device) {
  if (batch.images.defined()) return batch.images.to(device, /*non_blocking=*/true);
  if (batch.decoded.empty()) return at::empty({0, transform.crop, transform.crop, 3}, at::TensorOptions(at::kByte).device(device));
  std::vector<at::Tensor> whole;
  std::vector<int64_t> whole_rows;
  for (size_t i = 0; i < batch.decoded.size(); ++i) {
    if (batch.cropped[i]) continue;
    whole.push_back(batch.decoded[i].to(device, /*non_blocking=*/true));
    whole_rows.push_back(static_cast<int64_t>(i));
  }
  if (whole.size() == batch.decoded.size()) return apply_eval_transform_grouped(whole, transform);
  const auto count = static_cast<int64_t>(batch.decoded.size());
  const at::Tensor crops = at::empty({count, transform.crop, transform.crop, 3}, at::TensorOptions(at::kByte).device(device));
  if (!whole.empty()) {
    at::Tensor rows = at::tensor(whole_rows, at::kLong);
    if (device.is_cuda()) rows = rows.pin_memory();  // a copy from pageable memory would wait for the device
    crops.index_copy_(0, rows.to(device, /*non_blocking=*/true), apply_eval_transform_grouped(whole, transform));
  }
  for (size_t i = 0; i < batch.decoded.size(); ++i)
    if (batch.cropped[i]) crops[static_cast<int64_t>(i)].copy_(batch.decoded[i], /*non_blocking=*/true);
  return crops;
}

ImageBatchLoader::ImageBatchLoader(const ImageFileList& files, std::vector<int64_t> order, EvalTransform transform,
                                   ImageBatchOptions options)
    : ImageBatchLoader(files, std::move(order), transform.crop,
                       [transform](const at::Tensor& rgb, int64_t) { return apply_eval_transform(rgb, transform); },
                       options) {}

ImageBatchLoader::ImageBatchLoader(const ImageFileList& files, std::vector<int64_t> order, int64_t crop,
                                   PerImageTransform transform, ImageBatchOptions options) {
  if (order.empty())
    for (size_t i = 0; i < files.size(); ++i) order.push_back(static_cast<int64_t>(i));
  options.batch_size = std::max<int64_t>(1, options.batch_size);
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = options.threads > 0 ? options.threads : cores;
  state_ = std::make_unique<State>(files, std::move(order), crop, std::move(transform), options);
  State& s = *state_;
  const auto images = static_cast<int64_t>(s.order.size());
  s.batches = (images + options.batch_size - 1) / options.batch_size;
  s.chunks_per_batch = (options.batch_size + kChunk - 1) / kChunk;
  s.tasks = s.batches * s.chunks_per_batch;
  // Enough batches in flight for every worker to have a chunk, plus two finished and waiting, so that a
  // consumer pausing for the device does not leave the workers idle.
  s.window = 3 + (threads + s.chunks_per_batch - 1) / s.chunks_per_batch;
  const int64_t useful = std::max<int64_t>(1, std::min<int64_t>(threads, (images + kChunk - 1) / kChunk));
  for (int64_t t = 0; t < useful; ++t) s.workers.emplace_back([&s] { s.work(); });
}

ImageBatchLoader::~ImageBatchLoader() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
  }
  state_->work_changed.notify_all();
  for (auto& worker : state_->workers) worker.join();
}

int64_t ImageBatchLoader::batch_count() const { return state_->batches; }
int64_t ImageBatchLoader::image_count() const { return static_cast<int64_t>(state_->order.size()); }

std::optional<ImageBatch> ImageBatchLoader::next() {
  State& s = *state_;
  std::shared_ptr<Slot> slot;
  int64_t batch = 0;
  {
    std::unique_lock lock(s.mutex);
    if (s.returned >= s.batches) return std::nullopt;
    batch = s.returned;
    s.batch_done.wait(lock, [&] {
      if (s.failure) return true;
      const auto it = s.slots.find(batch);
      return it != s.slots.end() && it->second->chunks_left <= 0;
    });
    if (s.failure) std::rethrow_exception(s.failure);
    slot = s.slots.at(batch);
    s.slots.erase(batch);
    ++s.returned;
  }
  s.work_changed.notify_all();

  ImageBatch out;
  int64_t kept = 0;
  const auto rows = static_cast<int64_t>(slot->errors.size());
  for (int64_t row = 0; row < rows; ++row) {
    const auto position = s.order[static_cast<size_t>(batch * s.options.batch_size + row)];
    if (!slot->errors[static_cast<size_t>(row)].empty()) {
      out.failures.push_back(std::move(slot->errors[static_cast<size_t>(row)]));
      continue;
    }
    if (s.options.decode_only) {
      out.decoded.push_back(std::move(slot->decoded[static_cast<size_t>(row)]));
      out.cropped.push_back(slot->cropped[static_cast<size_t>(row)]);
    } else if (kept != row) {
      slot->images[kept].copy_(slot->images[row]);  // close the gaps, in place (stays pinned)
    }
    out.labels.push_back(s.files.label(static_cast<size_t>(position)));
    out.positions.push_back(position);
    ++kept;
  }
  if (!s.options.decode_only) out.images = slot->images.narrow(0, 0, kept);
  return out;
}

}  // namespace fovea::engine
