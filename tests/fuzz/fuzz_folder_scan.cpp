// The data set probe on folder trees: the input lists relative paths (one per line; a trailing '/' makes
// a folder, otherwise an empty file), which are created in a scratch folder that is then probed as a
// data set (ImageFolder, ImageNet layouts, CIFAR and IDX file names).
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "engine/data/dataset_info.h"
#include "fuzz_target.h"

namespace fs = std::filesystem;

namespace {

// Paths that stay inside the scratch folder and within sane limits.
bool usable(std::string_view path) {
  if (path.empty() || path.size() > 200 || path.front() == '/') return false;
  for (size_t start = 0; start <= path.size();) {
    const size_t end = std::min(path.find('/', start), path.size());
    const std::string_view part = path.substr(start, end - start);
    if (part == ".." || part == "." || part.size() > 60) return false;
    start = end + 1;
  }
  return path.find('\0') == std::string_view::npos;
}

}  // namespace

void fuzz_one_input(std::span<const uint8_t> data) {
  static const fs::path root = fs::temp_directory_path() / ("fovea-fuzz-scan-" + std::to_string(::getpid()));
  std::error_code ignored;
  fs::remove_all(root, ignored);
  fs::create_directories(root);
  const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  int created = 0;
  for (size_t start = 0; start < text.size() && created < 64;) {
    const size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (!usable(line)) continue;
    const fs::path target = root / std::string(line);
    if (line.back() == '/') {
      fs::create_directories(target, ignored);
    } else {
      fs::create_directories(target.parent_path(), ignored);
      std::ofstream(target, std::ios::binary) << "x";
    }
    ++created;
  }
  (void)fovea::engine::probe_dataset(root.string());
}
