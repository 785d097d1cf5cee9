// Decodes the images of a scanned folder split (ImageFolder, ImageNet) into memory, for folders small
// enough to train on the way CIFAR is trained: RGB (grey images converted, as torchvision's loader
// does), HWC, every image the same size (nothing is resized here) and all of them within `max_bytes`.
// Larger folders, or images of mixed sizes, need the decoding pipeline with resizing and cropping.
#pragma once
#include <cstdint>

#include "engine/data/image_file_list.h"
#include "engine/data/labelled_images.h"

namespace fovea::engine {

constexpr int64_t kMaxDecodedBytes = int64_t{4} << 30;

// limit > 0 decodes `limit` images spread evenly over the list: the list is sorted by class, so its
// first images would all be of one class. Throws DatasetError naming the file that cannot be decoded
// or differs in size, or the total when it is over `max_bytes` (checked after the first image).
LabelledImages decode_image_files(const ImageFileList& files, int64_t limit, int64_t max_bytes = kMaxDecodedBytes);

}  // namespace fovea::engine
