#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>

#include "engine/data/cifar_reader.h"
#include "engine/data/dataset_info.h"
#include "engine/data/idx_reader.h"
#include "engine/errors.h"
#include "resources/embedded.h"

namespace fovea::engine {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> first_existing(const fs::path& dir, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    const fs::path p = dir / name;
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return p.string();
  }
  return std::nullopt;
}

// "train-images-idx3-ubyte" and "train-images.idx3-ubyte", each raw or .gz.
std::optional<std::string> find_idx_file(const fs::path& dir, const std::string& split, const std::string& kind, int ndim) {
  std::vector<std::string> names;
  for (const char* sep : {"-", "."}) {
    const std::string base = split + "-" + kind + sep + "idx" + std::to_string(ndim) + "-ubyte";
    names.push_back(base);
    names.push_back(base + ".gz");
  }
  return first_existing(dir, names);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::vector<std::string> idx_class_names(const fs::path& dir) {
  if (auto custom = first_existing(dir, {"classes.txt"})) return read_class_names_file(*custom);
  const std::string where = lower(fs::absolute(dir).string());
  return resources::class_names(where.find("fashion") != std::string::npos ? "fashion-mnist" : "mnist");
}

std::optional<DatasetInfo> probe_idx(const fs::path& dir) {
  auto train_images = find_idx_file(dir, "train", "images", 3);
  auto train_labels = find_idx_file(dir, "train", "labels", 1);
  auto test_images = find_idx_file(dir, "t10k", "images", 3);
  auto test_labels = find_idx_file(dir, "t10k", "labels", 1);
  if (!train_images && !test_images) return std::nullopt;
  if (!train_images || !train_labels || !test_images || !test_labels)
    throw DatasetError(dir.string() + ": incomplete IDX data set (need train-images, train-labels, t10k-images and "
                       "t10k-labels, as -idx3-ubyte / -idx1-ubyte files, raw or .gz)");
  DatasetInfo info;
  info.root = dir.string();
  info.format = DatasetFormat::Idx;
  info.format_name = "IDX (MNIST-style)";
  info.train_files = {*train_images, *train_labels};
  info.test_files = {*test_images, *test_labels};
  const auto train_dims = read_idx_dims(*train_images);
  const auto test_dims = read_idx_dims(*test_images);
  if (train_dims.size() < 3 || test_dims.size() < 3)
    throw DatasetError(*train_images + ": IDX images need 3 or 4 dimensions");
  info.train_count = train_dims[0];
  info.test_count = test_dims[0];
  info.height = train_dims[1];
  info.width = train_dims[2];
  info.channels = train_dims.size() == 4 ? train_dims[3] : 1;
  info.class_names = idx_class_names(dir);
  return info;
}

int64_t cifar_records(const std::string& file) {
  std::error_code ec;
  const auto size = static_cast<int64_t>(fs::file_size(file, ec));
  if (ec) throw DatasetError("cannot read " + file + ": " + ec.message());
  if (size == 0 || size % kCifar10RecordBytes != 0)
    throw DatasetError(file + ": " + std::to_string(size) +
                       " bytes is not a whole number of 3073-byte CIFAR-10 records (truncated or not CIFAR-10 binary)");
  return size / kCifar10RecordBytes;
}

std::optional<DatasetInfo> probe_cifar10(const fs::path& given) {
  fs::path dir = given;
  std::error_code ec;
  if (fs::is_directory(given / "cifar-10-batches-bin", ec)) dir = given / "cifar-10-batches-bin";
  std::vector<std::string> train;
  for (int i = 1; i <= 5; ++i) {
    if (auto f = first_existing(dir, {"data_batch_" + std::to_string(i) + ".bin"})) train.push_back(*f);
  }
  auto test = first_existing(dir, {"test_batch.bin"});
  if (train.empty() && !test) return std::nullopt;
  if (train.empty() || !test)
    throw DatasetError(dir.string() + ": incomplete CIFAR-10 binary data set (need data_batch_1.bin ... and test_batch.bin)");
  DatasetInfo info;
  info.root = dir.string();
  info.format = DatasetFormat::Cifar10Binary;
  info.format_name = "CIFAR-10 (binary version)";
  info.train_files = train;
  info.test_files = {*test};
  for (const std::string& f : train) info.train_count += cifar_records(f);
  info.test_count = cifar_records(*test);
  info.height = info.width = kCifarSide;
  info.channels = 3;
  if (auto meta = first_existing(dir, {"batches.meta.txt"})) {
    info.class_names = read_class_names_file(*meta);
  } else {
    info.class_names = resources::class_names("cifar10");
  }
  if (info.class_names.size() != 10)
    throw DatasetError(dir.string() + "/batches.meta.txt: expected 10 class names, found " +
                       std::to_string(info.class_names.size()));
  return info;
}

}  // namespace

DatasetInfo probe_dataset(const std::string& path) {
  std::error_code ec;
  if (path.empty()) throw DatasetError("no data set path given");
  if (!fs::exists(path, ec)) throw DatasetError(path + ": no such file or folder");
  const fs::path dir = fs::is_directory(path, ec) ? fs::path(path) : fs::path(path).parent_path();
  if (auto info = probe_idx(dir)) return *info;
  if (auto info = probe_cifar10(dir)) return *info;
  throw DatasetError(path + ": no data set recognised (expected MNIST-style IDX files or CIFAR-10 binary batches)");
}

std::string system_fashion_mnist_path() {
  const std::string path = "/usr/share/datasets/fashion-mnist";
  std::error_code ec;
  return fs::is_directory(path, ec) ? path : std::string();
}

}  // namespace fovea::engine
