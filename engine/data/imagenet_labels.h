// ImageNet-1k (ILSVRC 2012) facts for reading its folder layout: the 1000 classes (WordNet ids, sorted,
// which is torchvision's and timm's class order) and the labels of a flat val/ folder, which come from
// Kaggle's LOC_val_solution.csv or from the devkit's ILSVRC2012_validation_ground_truth.txt.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace fovea::engine {

// "n" and 8 digits, e.g. n01440764.
bool is_wordnet_id(std::string_view name);
// The 1000 synsets in class order, and a synset's class index (nullopt if it is not one of them).
const std::vector<std::string>& imagenet_synsets();
std::optional<int64_t> imagenet_class(std::string_view wnid);

// Class index by image id (the file name without its extension, e.g. "ILSVRC2012_val_00000001").
struct ValLabels {
  std::string source;  // the file they came from
  std::unordered_map<std::string, int64_t> by_image;
};

// Kaggle's LOC_val_solution.csv: header "ImageId,PredictionString", then rows whose prediction string
// starts with the synset ("ILSVRC2012_val_00008726,n02119789 255 142 454 329 ...").
ValLabels read_loc_val_solution(const std::string& path);

// The devkit's ILSVRC2012_validation_ground_truth.txt: line i holds the ILSVRC2012_ID (1-1000) of
// ILSVRC2012_val_<i, 8 digits>. Those ids follow the devkit's meta.mat, not the sorted synsets (ID 1 is
// n02119789, kit fox); the table ships as resources/class_names/imagenet-1k-ilsvrc2012-ids.txt.
ValLabels read_validation_ground_truth(const std::string& path);

// Looks for either file where the Kaggle download and the devkit put them, relative to the data set
// folder `root` (holding train/) and its flat `val` folder. Throws DatasetError saying where it looked.
ValLabels find_val_labels(const std::filesystem::path& root, const std::filesystem::path& val, int64_t images);

}  // namespace fovea::engine
