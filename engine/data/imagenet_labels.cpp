#include "engine/data/imagenet_labels.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "engine/errors.h"
#include "resources/embedded.h"

namespace fovea::engine {
namespace {

namespace fs = std::filesystem;

void trim_line_end(std::string& line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
}

std::ifstream open_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw DatasetError("cannot read " + path);
  return in;
}

std::string where(const std::string& path, int64_t line) { return path + ":" + std::to_string(line); }

}  // namespace

bool is_wordnet_id(std::string_view name) {
  return name.size() == 9 && name[0] == 'n' &&
         std::all_of(name.begin() + 1, name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

const std::vector<std::string>& imagenet_synsets() {
  static const std::vector<std::string> synsets = resources::class_names("imagenet-1k-synsets");
  return synsets;
}

std::optional<int64_t> imagenet_class(std::string_view wnid) {
  const auto& synsets = imagenet_synsets();
  const auto it = std::lower_bound(synsets.begin(), synsets.end(), wnid);
  if (it == synsets.end() || *it != wnid) return std::nullopt;
  return static_cast<int64_t>(it - synsets.begin());
}

ValLabels read_loc_val_solution(const std::string& path) {
  std::ifstream in = open_text(path);
  ValLabels labels{path, {}};
  std::string line;
  int64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    trim_line_end(line);
    if (number == 1) {
      if (line.rfind("ImageId,PredictionString", 0) != 0)
        throw DatasetError(where(path, 1) + ": expected the header ImageId,PredictionString (Kaggle's LOC_val_solution.csv)");
      continue;
    }
    if (line.empty()) continue;
    const size_t comma = line.find(',');
    const std::string id = line.substr(0, comma);
    const std::string prediction = comma == std::string::npos ? "" : line.substr(comma + 1);
    const std::string wnid = prediction.substr(0, prediction.find(' '));
    const auto label = imagenet_class(wnid);
    if (id.empty() || !label)
      throw DatasetError(where(path, number) + ": expected an image id and a prediction string that starts with one of "
                                               "the 1000 ImageNet synsets, found '" + line.substr(0, 80) + "'");
    if (!labels.by_image.emplace(id, *label).second)
      throw DatasetError(where(path, number) + ": " + id + " appears twice");
  }
  if (labels.by_image.empty()) throw DatasetError(path + ": no labels in it");
  return labels;
}

ValLabels read_validation_ground_truth(const std::string& path) {
  static const std::vector<std::string> id_to_wnid = resources::class_names("imagenet-1k-ilsvrc2012-ids");
  std::ifstream in = open_text(path);
  ValLabels labels{path, {}};
  std::string line;
  int64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    trim_line_end(line);
    if (line.empty()) continue;
    size_t used = 0;
    int id = 0;
    try {
      id = std::stoi(line, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != line.size() || id < 1 || id > static_cast<int>(id_to_wnid.size()))
      throw DatasetError(where(path, number) + ": expected an ILSVRC2012_ID from 1 to 1000, found '" +
                         line.substr(0, 40) + "'");
    char image[32];
    std::snprintf(image, sizeof image, "ILSVRC2012_val_%08lld", static_cast<long long>(number));
    labels.by_image.emplace(image, *imagenet_class(id_to_wnid[static_cast<size_t>(id - 1)]));
  }
  if (labels.by_image.empty()) throw DatasetError(path + ": no labels in it");
  return labels;
}

ValLabels find_val_labels(const fs::path& root, const fs::path& val, int64_t images) {
  // Kaggle: LOC_val_solution.csv at the top, the images in ILSVRC/Data/CLS-LOC/{train,val}.
  std::vector<fs::path> csv_places = {root};
  for (fs::path p = root; csv_places.size() < 4 && p.has_relative_path() && p != p.parent_path();) {
    p = p.parent_path();
    csv_places.push_back(p);
  }
  for (const fs::path& dir : csv_places) {
    std::error_code ec;
    if (fs::is_regular_file(dir / "LOC_val_solution.csv", ec)) return read_loc_val_solution((dir / "LOC_val_solution.csv").string());
  }
  const char* ground_truth = "ILSVRC2012_validation_ground_truth.txt";
  const std::vector<fs::path> devkit_places = {root, val, root / "ILSVRC2012_devkit_t12" / "data",
                                               root.parent_path() / "ILSVRC2012_devkit_t12" / "data"};
  for (const fs::path& dir : devkit_places) {
    std::error_code ec;
    if (fs::is_regular_file(dir / ground_truth, ec)) return read_validation_ground_truth((dir / ground_truth).string());
  }
  throw DatasetError(val.string() + ": " + std::to_string(images) +
                     " images without class folders, and no labels for them: put Kaggle's LOC_val_solution.csv in " +
                     root.string() + " (or up to three folders above it), or the devkit's " + ground_truth + " in " +
                     root.string() + " or " + val.string() + " or " + (root / "ILSVRC2012_devkit_t12/data").string() +
                     ", or sort val/ into one folder per synset");
}

}  // namespace fovea::engine
