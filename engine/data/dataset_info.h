// Detects a data set's format from a path (a folder, or a file inside it) and describes it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fovea::engine {

enum class DatasetFormat { Idx, Cifar10Binary };

struct DatasetInfo {
  std::string root;                  // the folder holding the files
  DatasetFormat format = DatasetFormat::Idx;
  std::string format_name;           // for people: "IDX (MNIST-style)", ...
  std::vector<std::string> class_names;
  int64_t train_count = 0, test_count = 0;
  int64_t height = 0, width = 0, channels = 0;
  std::vector<std::string> train_files, test_files;  // for IDX: {images, labels}
};

// Reads headers only (fast enough for a file picker). Throws DatasetError naming the path and
// what was expected when nothing recognisable is there.
DatasetInfo probe_dataset(const std::string& path);

// The folder Debian's dataset-fashion-mnist package installs to, if it is there; else empty.
std::string system_fashion_mnist_path();

}  // namespace fovea::engine
