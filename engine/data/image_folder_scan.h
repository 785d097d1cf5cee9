// Scanning torchvision's ImageFolder layout (one sub-folder of images per class) without decoding:
// the same files in the same order as torchvision.datasets.ImageFolder, so that sample i here is
// sample i there. Python's sorted() orders str by code point, which for UTF-8 names is byte order.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "engine/data/image_file_list.h"

namespace fovea::engine {

// torchvision's IMG_EXTENSIONS, compared case-insensitively: .jpg .jpeg .png .ppm .bmp .pgm .tif .tiff .webp
bool has_image_extension(std::string_view file_name);
constexpr const char* kImageExtensions = ".jpg .jpeg .png .bmp .webp .ppm .pgm .tif .tiff";
// Names starting with '.' (.DS_Store, .ipynb_checkpoints, ...) are not part of a data set.
inline bool is_hidden(std::string_view name) { return !name.empty() && name.front() == '.'; }

struct FolderEntries {
  std::vector<std::string> folders;  // sub-folders (symbolic links followed), sorted
  std::vector<std::string> images;   // files with an image extension, sorted
  int64_t other_files = 0;           // files without one
};

// One pass over a folder, hidden entries left out; file types come from the directory itself (no
// per-file stat except for symbolic links). Throws DatasetError naming the folder if it cannot be read.
FolderEntries read_folder(const std::filesystem::path& dir);

// Appends the images of one class folder, its sub-folders included (as torchvision's os.walk does),
// with `label`; returns how many. `other_files` grows by the files skipped for their extension.
int64_t scan_class_folder(const std::filesystem::path& class_dir, int64_t label, ImageFileList& out,
                          int64_t& other_files);

}  // namespace fovea::engine
