#include "engine/data/image_file_list.h"

#include <stdexcept>

namespace fovea::engine {

uint32_t ImageFileList::add_folder(std::string path) {
  folders_.push_back(std::move(path));
  return static_cast<uint32_t>(folders_.size() - 1);
}

void ImageFileList::add(uint32_t folder, std::string_view name, int64_t label) {
  if (folder >= folders_.size()) throw std::out_of_range("ImageFileList::add: no folder " + std::to_string(folder));
  names_.append(name);
  name_ends_.push_back(names_.size());
  folder_of_.push_back(folder);
  labels_.push_back(static_cast<int32_t>(label));
}

std::string_view ImageFileList::name(size_t i) const {
  const uint64_t begin = i == 0 ? 0 : name_ends_.at(i - 1);
  return std::string_view(names_).substr(begin, name_ends_.at(i) - begin);
}

std::string ImageFileList::path(size_t i) const {
  std::string p = folder(i);
  p += '/';
  p += name(i);
  return p;
}

std::vector<int64_t> ImageFileList::class_counts(size_t classes) const {
  std::vector<int64_t> counts(classes, 0);
  for (int32_t label : labels_) {
    if (label >= 0 && static_cast<size_t>(label) < classes) ++counts[static_cast<size_t>(label)];
  }
  return counts;
}

}  // namespace fovea::engine
