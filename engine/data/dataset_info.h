// Detects a data set's format from a path (a folder, or a file inside it) and describes it.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/data/image_file_list.h"

namespace fovea::engine {

enum class DatasetFormat { Idx, Cifar10Binary, Cifar100Binary, Cifar10Python, Cifar100Python, ImageFolder, ImageNet };

// Photographs stay pictures of their class when mirrored; digits and letters become other symbols.
bool mirror_invariant(DatasetFormat format);

struct DatasetInfo {
  std::string root;                  // the folder holding the files
  DatasetFormat format = DatasetFormat::Idx;
  std::string format_name;           // for people: "IDX (MNIST-style)", ...
  std::vector<std::string> class_names;         // in label order
  std::vector<std::string> coarse_class_names;  // CIFAR-100's 20 superclasses; empty for other data sets
  int64_t train_count = 0, test_count = 0;
  int64_t height = 0, width = 0, channels = 0;  // 0: not known before decoding (folders of encoded images)
  // For people: how the training and test splits were found, e.g. "folders train/ and val/" or
  // "one folder: no train/ and val/ (or test/) inside, so every image is a training image".
  std::string split_layout;
  std::vector<std::string> notes;  // anything else worth telling: where labels came from, missing classes
  // IDX: {images, labels}; CIFAR: the batch files in order; ImageFolder/ImageNet: the split's folder.
  std::vector<std::string> train_files, test_files;
  // ImageFolder/ImageNet: every image file found, with its label (test_images is empty for one split).
  std::shared_ptr<const ImageFileList> train_images, test_images;
};

// Reads headers only, or scans folders without decoding images (fast enough for a file picker, though a
// folder tree the size of ImageNet takes a second or more). Throws DatasetError naming the path and
// what was expected when nothing recognisable is there.
DatasetInfo probe_dataset(const std::string& path);

// Throws DatasetError, before anything is read, when training on `info` cannot work: a folder data set
// without a test split. (Folders of encoded images are streamed through the decoding pipeline, so
// their images may have any size: see engine/training/train_batch_source.h.)
void check_trainable(const DatasetInfo& info);

// The folder Debian's dataset-fashion-mnist package installs to, if it is there; else empty.
std::string system_fashion_mnist_path();

}  // namespace fovea::engine
