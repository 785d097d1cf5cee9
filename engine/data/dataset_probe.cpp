#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>

#include "engine/data/cifar_reader.h"
#include "engine/data/dataset_info.h"
#include "engine/data/idx_reader.h"
#include "engine/data/probe_util.h"
#include "engine/errors.h"
#include "resources/embedded.h"

namespace fovea::engine {
namespace {

namespace fs = std::filesystem;
using probe::first_existing;

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
  info.split_layout = "files train-* and t10k-*";
  return info;
}

}  // namespace

bool mirror_invariant(DatasetFormat format) { return format != DatasetFormat::Idx; }

void check_trainable(const DatasetInfo& info) {
  const bool folders = info.format == DatasetFormat::ImageFolder || info.format == DatasetFormat::ImageNet;
  if (folders && !info.test_images)
    throw DatasetError(info.root + ": training needs a test split as well: put the class folders into train/, and "
                                   "the test images, in the same class folders, into val/ (or test/)");
}

DatasetInfo probe_dataset(const std::string& path) {
  std::error_code ec;
  if (path.empty()) throw DatasetError("no data set path given");
  if (!fs::exists(path, ec)) throw DatasetError(path + ": no such file or folder");
  const fs::path dir = fs::is_directory(path, ec) ? fs::path(path) : fs::path(path).parent_path();
  if (auto info = probe_idx(dir)) return *info;
  if (auto info = probe::cifar10_binary(dir)) return *info;
  if (auto info = probe::cifar100_binary(dir)) return *info;
  if (auto info = probe::cifar_python(dir)) return *info;
  if (auto info = probe::image_folder(path)) return *info;
  throw DatasetError(path + ": no data set recognised (expected MNIST-style IDX files, CIFAR-10 or CIFAR-100 batches "
                            "(binary or python version), or image folders: one sub-folder of images per class)");
}

std::string system_fashion_mnist_path() {
  const std::string path = "/usr/share/datasets/fashion-mnist";
  std::error_code ec;
  return fs::is_directory(path, ec) ? path : std::string();
}

}  // namespace fovea::engine
