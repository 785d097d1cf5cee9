// The image files of one split of a folder data set (ImageFolder, ImageNet): paths and labels found by
// scanning, nothing decoded. Compact, because ImageNet's training split has 1.28 million files: the
// folders are stored once and the file names back to back (about 40 bytes a file instead of ~100).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fovea::engine {

class ImageFileList {
 public:
  // Returns the index to pass to add(); files are named relative to their folder.
  uint32_t add_folder(std::string path);
  void add(uint32_t folder, std::string_view name, int64_t label);

  size_t size() const { return labels_.size(); }
  bool empty() const { return labels_.empty(); }
  std::string path(size_t i) const;  // folder/name
  std::string_view name(size_t i) const;
  const std::string& folder(size_t i) const { return folders_.at(folder_of_.at(i)); }
  int64_t label(size_t i) const { return labels_.at(i); }
  // Images per class, for `classes` classes.
  std::vector<int64_t> class_counts(size_t classes) const;

 private:
  std::vector<std::string> folders_;
  std::string names_;
  std::vector<uint64_t> name_ends_;  // names_ offsets: file i is [name_ends_[i-1], name_ends_[i])
  std::vector<uint32_t> folder_of_;
  std::vector<int32_t> labels_;
};

}  // namespace fovea::engine
