// Internal to the data set probes (dataset_probe.cpp, cifar_probe.cpp, image_folder_probe.cpp):
// small file-system questions that never throw, and the per-format probes that dispatch calls.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engine/data/dataset_info.h"

namespace fovea::engine::probe {

namespace fs = std::filesystem;

bool is_dir(const fs::path& p);
bool is_file(const fs::path& p);
// The first of `names` that is a regular file in `dir`.
std::optional<std::string> first_existing(const fs::path& dir, const std::vector<std::string>& names);
// dir/sub if that folder exists (an archive unpacked next to the path given), else dir.
fs::path subfolder_or_self(const fs::path& dir, const char* sub);
int64_t file_size(const std::string& file);  // throws DatasetError naming the file

// Each returns nullopt when the folder holds nothing of its format, and throws DatasetError when it
// holds part of one (an incomplete or corrupt data set).
std::optional<DatasetInfo> cifar10_binary(const fs::path& dir);
std::optional<DatasetInfo> cifar100_binary(const fs::path& dir);
std::optional<DatasetInfo> cifar_python(const fs::path& dir);
// `path` as given (a folder, or an image inside one): folder layouts are found from there.
std::optional<DatasetInfo> image_folder(const fs::path& path);

}  // namespace fovea::engine::probe
