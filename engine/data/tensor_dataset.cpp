#include "engine/data/tensor_dataset.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/data/cifar_python.h"
#include "engine/data/cifar_reader.h"
#include "engine/data/idx_reader.h"
#include "engine/data/image_decode.h"
#include "engine/errors.h"

namespace fovea::engine {
namespace {

LabelledImages read_split(const DatasetInfo& info, bool test, int64_t limit) {
  const std::vector<std::string>& files = test ? info.test_files : info.train_files;
  switch (info.format) {
    case DatasetFormat::Idx: return read_idx_images(files.at(0), files.at(1), limit);
    case DatasetFormat::Cifar10Binary: return read_cifar10_batches(files, limit);
    case DatasetFormat::Cifar100Binary: return read_cifar100_batches(files, limit);
    case DatasetFormat::Cifar10Python: return read_cifar_python_batches(files, CifarVersion::Cifar10, limit);
    case DatasetFormat::Cifar100Python: return read_cifar_python_batches(files, CifarVersion::Cifar100, limit);
    case DatasetFormat::ImageFolder:
    case DatasetFormat::ImageNet: return decode_image_files(*(test ? info.test_images : info.train_images), limit);
  }
  throw DatasetError(info.root + ": unsupported format");
}

void check_labels(const TensorSplit& split, size_t classes, const std::string& where) {
  if (split.size() == 0) throw DatasetError(where + ": no images");
  const int64_t max_label = split.labels.max().item<int64_t>();
  if (max_label >= static_cast<int64_t>(classes))
    throw DatasetError(where + ": label " + std::to_string(max_label) + " but only " + std::to_string(classes) +
                       " class names");
}

// Per-channel mean and standard deviation in [0, 1] units, exactly, from a histogram of pixel values.
void channel_statistics(const LabelledImages& images, std::array<float, 3>& mean, std::array<float, 3>& std) {
  std::vector<std::array<int64_t, 256>> histogram(static_cast<size_t>(images.channels));
  for (auto& h : histogram) h.fill(0);
  const size_t channels = static_cast<size_t>(images.channels);
  for (size_t i = 0; i < images.pixels.size(); ++i) ++histogram[i % channels][images.pixels[i]];
  for (size_t c = 0; c < channels && c < 3; ++c) {
    double n = 0, sum = 0, squares = 0;
    for (int v = 0; v < 256; ++v) {
      const double x = v / 255.0, count = static_cast<double>(histogram[c][v]);
      n += count;
      sum += count * x;
      squares += count * x * x;
    }
    const double m = n > 0 ? sum / n : 0.0;
    mean[c] = static_cast<float>(m);
    std[c] = static_cast<float>(std::max(1e-3, std::sqrt(std::max(0.0, squares / std::max(n, 1.0) - m * m))));
  }
}

}  // namespace

TensorSplit TensorSplit::to(const at::Device& device) const {
  return {images.to(device), labels.to(device)};
}

TensorSplit to_tensor_split(LabelledImages&& images) {
  TensorSplit split;
  split.images = at::empty({images.count, images.height, images.width, images.channels}, at::kByte);
  std::memcpy(split.images.data_ptr(), images.pixels.data(), images.pixels.size());
  split.labels = at::empty({images.count}, at::kLong);
  std::memcpy(split.labels.data_ptr(), images.labels.data(), images.labels.size() * sizeof(int64_t));
  return split;
}

TensorSplit load_tensor_split(const DatasetInfo& info, bool test, int64_t limit) {
  TensorSplit split = to_tensor_split(read_split(info, test, limit));
  check_labels(split, info.class_names.size(), info.root + (test ? " (test split)" : " (training split)"));
  if (split.images.size(3) > 3) throw DatasetError(info.root + ": images with more than 3 channels are not supported");
  return split;
}

TensorDataset load_tensor_dataset(const std::string& path, int64_t limit_train, int64_t limit_test) {
  TensorDataset ds;
  ds.info = probe_dataset(path);
  check_trainable(ds.info);
  LabelledImages train = read_split(ds.info, false, limit_train);
  channel_statistics(train, ds.mean, ds.std);
  ds.train = to_tensor_split(std::move(train));
  ds.test = to_tensor_split(read_split(ds.info, true, limit_test));
  check_labels(ds.train, ds.info.class_names.size(), ds.info.root + " (training split)");
  check_labels(ds.test, ds.info.class_names.size(), ds.info.root + " (test split)");
  if (ds.train.images.sizes().slice(1) != ds.test.images.sizes().slice(1))
    throw DatasetError(ds.info.root + ": training and test images differ in size");
  ds.info.train_count = ds.train.size();
  ds.info.test_count = ds.test.size();
  // What was read, which for folders of encoded images the probe could not know.
  ds.info.height = ds.train.images.size(1);
  ds.info.width = ds.train.images.size(2);
  ds.info.channels = ds.train.images.size(3);
  if (ds.info.channels > 3) throw DatasetError(ds.info.root + ": images with more than 3 channels are not supported");

  return ds;
}

void reshape_images(TensorDataset& data, int64_t pad_to, bool force_rgb) {
  const int64_t h = data.info.height, w = data.info.width;
  if (pad_to > h || pad_to > w) {
    const int64_t top = (pad_to - h) / 2, left = (pad_to - w) / 2;
    for (TensorSplit* split : {&data.train, &data.test}) {
      if (split->size() == 0) continue;  // NHWC: pad W then H (constant_pad_nd pads the last dims first)
      split->images = at::constant_pad_nd(split->images, {0, 0, left, pad_to - w - left, top, pad_to - h - top}, 0);
    }
    // Zeros added: the mean shrinks by the area ratio, and so does the mean of squares.
    const double kept = static_cast<double>(h * w) / static_cast<double>(pad_to * pad_to);
    for (int64_t c = 0; c < data.info.channels; ++c) {
      const double m = data.mean[c], s = data.std[c];
      const double mean = m * kept, squares = (s * s + m * m) * kept;
      data.mean[c] = static_cast<float>(mean);
      data.std[c] = static_cast<float>(std::max(1e-3, std::sqrt(std::max(0.0, squares - mean * mean))));
    }
    data.info.height = data.info.width = pad_to;
  }
  if (force_rgb && data.info.channels == 1) {
    for (TensorSplit* split : {&data.train, &data.test})
      if (split->size() > 0) split->images = split->images.expand({-1, -1, -1, 3}).contiguous();
    data.mean = {data.mean[0], data.mean[0], data.mean[0]};
    data.std = {data.std[0], data.std[0], data.std[0]};
    data.info.channels = 3;
  }
}

}  // namespace fovea::engine
