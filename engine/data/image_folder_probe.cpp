// Recognises folders of encoded images: torchvision's ImageFolder layout (one sub-folder per class) and
// ImageNet's (class folders named by WordNet id, val/ per synset or flat with a labels file), as one
// folder or as train/ with val/ (or test/). Scans names only: nothing is decoded here.
#include <algorithm>
#include <map>

#include "engine/data/image_folder_scan.h"
#include "engine/data/imagenet_labels.h"
#include "engine/data/probe_util.h"
#include "engine/errors.h"
#include "resources/embedded.h"

namespace fovea::engine::probe {
namespace {

bool is_split_name(const fs::path& p) {
  const std::string name = p.filename().string();
  return name == "train" || name == "val" || name == "test";
}

// A folder with train/ and val/ (or test/), train/ holding class folders.
bool has_split_folders(const fs::path& root) {
  return is_dir(root / "train") && (is_dir(root / "val") || is_dir(root / "test"));
}

// The data set folder for `path`: the folder itself, the class folder's parent for an image in one, and
// the folder above train/, val/ or test/ when that is where the splits live.
fs::path data_set_root(const fs::path& given) {
  fs::path p = fs::absolute(given).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();  // "folder/" names "folder"
  if (!is_dir(p)) {
    if (!has_image_extension(p.filename().string())) return p.parent_path();
    p = p.parent_path().parent_path();  // an image: its class folder's parent
  }
  if (is_split_name(p) && has_split_folders(p.parent_path())) p = p.parent_path();
  return p;
}

struct Classes {
  bool imagenet = false;
  std::vector<std::string> folders;  // class index -> folder name (ImageNet: all 1000 synsets)
  std::vector<std::string> names;    // class index -> name for people
  std::map<std::string, int64_t> index;
};

Classes classes_of(const std::vector<std::string>& folders) {
  Classes c;
  // ImageNet when every class folder is one of the 1000 synsets: then the classes are all 1000, in
  // their standard order, so that labels match ImageNet models even when some folders are missing.
  c.imagenet = std::all_of(folders.begin(), folders.end(), [](const std::string& f) { return imagenet_class(f).has_value(); });
  c.folders = c.imagenet ? imagenet_synsets() : folders;
  c.names = c.imagenet ? resources::class_names("imagenet-1k") : folders;
  for (size_t i = 0; i < c.folders.size(); ++i) c.index.emplace(c.folders[i], static_cast<int64_t>(i));
  return c;
}

std::string count_of(size_t n, const std::string& what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : what.back() == 's' ? "es" : "s");
}

// Scans the class folders of one split; every one must hold images and be a class of `classes`.
std::shared_ptr<ImageFileList> scan_split(const fs::path& dir, const std::vector<std::string>& folders,
                                          const Classes& classes, const fs::path& train_dir, int64_t& other_files) {
  auto list = std::make_shared<ImageFileList>();
  for (const std::string& folder : folders) {
    const auto label = classes.index.find(folder);
    if (label == classes.index.end())
      throw DatasetError((dir / folder).string() + ": class '" + folder + "' has no folder in " + train_dir.string());
    if (scan_class_folder(dir / folder, label->second, *list, other_files) == 0)
      throw DatasetError((dir / folder).string() + ": a class folder without images (looked for " + kImageExtensions +
                         ", in any letter case)");
  }
  return list;
}

// ImageNet's val/ as downloaded: all images in one folder, labels in a file. Ordered by class, then
// name, as after sorting them into per-synset folders (torchvision.datasets.ImageNet does that).
std::shared_ptr<ImageFileList> scan_flat_val(const fs::path& root, const fs::path& val,
                                             const std::vector<std::string>& images, std::string& source) {
  const ValLabels labels = find_val_labels(root, val, static_cast<int64_t>(images.size()));
  source = labels.source;
  std::vector<std::pair<int64_t, const std::string*>> labelled;
  labelled.reserve(images.size());
  for (const std::string& image : images) {
    const auto it = labels.by_image.find(image.substr(0, image.rfind('.')));  // the id is the name without extension
    if (it == labels.by_image.end())
      throw DatasetError((val / image).string() + ": no label for this image in " + labels.source);
    labelled.emplace_back(it->second, &image);
  }
  std::sort(labelled.begin(), labelled.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : *a.second < *b.second;
  });
  auto list = std::make_shared<ImageFileList>();
  const uint32_t folder = list->add_folder(val.string());
  for (const auto& [label, image] : labelled) list->add(folder, *image, label);
  return list;
}

}  // namespace

std::optional<DatasetInfo> image_folder(const fs::path& path) {
  const fs::path root = data_set_root(path);
  if (!is_dir(root)) return std::nullopt;
  const bool split = has_split_folders(root) && !read_folder(root / "train").folders.empty();
  const fs::path train_dir = split ? root / "train" : root;
  const fs::path test_dir = !split ? fs::path() : is_dir(root / "val") ? root / "val" : root / "test";

  const FolderEntries top = read_folder(train_dir);
  if (top.folders.empty()) {
    if (top.images.empty()) return std::nullopt;  // nothing image-like: let the caller say what it expected
    throw DatasetError(train_dir.string() + ": " + count_of(top.images.size(), "image") +
                       " but no class folders (images must be sorted into one sub-folder per class)");
  }
  const Classes classes = classes_of(top.folders);
  DatasetInfo info;
  info.root = root.string();
  info.format = classes.imagenet ? DatasetFormat::ImageNet : DatasetFormat::ImageFolder;
  info.format_name = classes.imagenet ? "ImageNet-1k (ILSVRC 2012 layout)" : "ImageFolder (one folder per class)";
  info.class_names = classes.names;
  info.train_files = {train_dir.string()};
  int64_t other_files = 0;
  info.train_images = scan_split(train_dir, top.folders, classes, train_dir, other_files);
  info.train_count = static_cast<int64_t>(info.train_images->size());

  if (!split) {
    info.split_layout = "one folder: no train/ and val/ (or test/) folders inside, so every image is a training image";
  } else {
    const FolderEntries test = read_folder(test_dir);
    const std::string test_name = test_dir.filename().string() + "/";
    if (!test.folders.empty()) {
      info.test_images = scan_split(test_dir, test.folders, classes, train_dir, other_files);
      info.split_layout = "folders train/ and " + test_name + ", one sub-folder per class in each";
    } else if (classes.imagenet && !test.images.empty()) {
      std::string source;
      info.test_images = scan_flat_val(root, test_dir, test.images, source);
      info.split_layout = "folders train/ (one sub-folder per class) and " + test_name + " (all images in it)";
      info.notes.push_back(test_name + " labels from " + source);
    } else {
      throw DatasetError(test_dir.string() + ": " + (test.images.empty() ? "no images and no class folders"
                                                                         : count_of(test.images.size(), "image") +
                                                                               " but no class folders") +
                         " (the test split needs one sub-folder per class, like train/)");
    }
    info.test_files = {test_dir.string()};
    info.test_count = static_cast<int64_t>(info.test_images->size());
  }

  const auto missing = [&](const ImageFileList& list) {
    const auto counts = list.class_counts(classes.folders.size());
    return static_cast<size_t>(std::count(counts.begin(), counts.end(), 0));
  };
  if (const size_t n = missing(*info.train_images); n > 0)
    info.notes.push_back(count_of(n, "class") + " of " + std::to_string(classes.folders.size()) + " without training images");
  if (info.test_images) {
    if (const size_t n = missing(*info.test_images); n > 0)
      info.notes.push_back(count_of(n, "class") + " of " + std::to_string(classes.folders.size()) + " without test images");
  }
  if (other_files > 0)
    info.notes.push_back(count_of(static_cast<size_t>(other_files), "file") + " skipped: not " + kImageExtensions);
  return info;
}

}  // namespace fovea::engine::probe
