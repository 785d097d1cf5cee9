// Fovea's evaluation preprocessing against torchvision's and timm's on real photographs: for every
// reference in tests/fixtures/preprocess/manifest.json (made by bench/parity/make_preprocess_refs.py
// with PIL, torchvision and timm), Fovea decodes the photo, resizes, crops and normalises it; the result,
// un-normalised, must be within 1/255 of the reference everywhere. Where a family names a Fovea model,
// that model's registry defaults must describe the same transform. With a GPU, the GPU path (where the
// image pipeline resizes when it feeds a GPU) is compared too. Plain C++ (no Qt) so that it also
// runs on the GPU machine, whose LibTorch resizes uint8 images by another code path.
#include <ATen/ATen.h>
#include <torch/cuda.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>

#include "engine/data/image_transform.h"
#include "models/registry.h"

namespace {

using fovea::engine::EvalTransform;
using nlohmann::json;

int failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("  %-70s %s\n", what.c_str(), ok ? "OK" : "FAIL");
  if (!ok) ++failures;
}

EvalTransform transform_of(const json& d) {
  EvalTransform t;
  t.resize = d.at("resize").get<int64_t>();
  t.crop = d.at("crop").get<int64_t>();
  t.interpolation = fovea::engine::parse_interpolation(d.at("interpolation").get<std::string>());
  return t;
}

std::array<float, 3> triple(const json& values) {
  return {values.at(0).get<float>(), values.at(1).get<float>(), values.at(2).get<float>()};
}

// The registry's defaults for `model` give the reference's resize, crop, interpolation, mean and std.
void check_registry(const std::string& family, const json& d) {
  if (!d.contains("fovea_model")) return;
  const std::string model = d.at("fovea_model");
  const fovea::models::ModelEntry* entry = fovea::models::find_model(model);
  if (!entry) return check(false, family + ": no model " + model + " in the registry");
  const EvalTransform ours = fovea::engine::eval_transform(entry->preprocessing), theirs = transform_of(d);
  double worst = 0;
  for (size_t c = 0; c < 3; ++c) {
    worst = std::max(worst, std::abs(entry->preprocessing.mean[c] - d.at("mean").at(c).get<double>()));
    worst = std::max(worst, std::abs(entry->preprocessing.std[c] - d.at("std").at(c).get<double>()));
  }
  check(ours.resize == theirs.resize && ours.crop == theirs.crop && ours.interpolation == theirs.interpolation &&
            worst < 1e-6,
        family + ": " + model + "'s registry preprocessing is " + std::to_string(ours.resize) + "/" +
            std::to_string(ours.crop) + " " + fovea::engine::interpolation_name(ours.interpolation));
}

}  // namespace

int main() {
  const std::string fixtures = FOVEA_TEST_FIXTURES;
  std::ifstream file(fixtures + "/preprocess/manifest.json");
  if (!file) {
    std::printf("missing %s/preprocess/manifest.json\n", fixtures.c_str());
    return 1;
  }
  const json manifest = json::parse(file);
  std::printf("references made with %s\n", manifest.at("made_with").dump().c_str());
  for (const auto& [family, d] : manifest.at("transforms").items()) check_registry(family, d);

  int64_t compared = 0;
  std::vector<at::Device> devices = {at::kCPU};
  if (torch::cuda::is_available()) devices.emplace_back(at::kCUDA, 0);  // the pipeline resizes there on GPUs
  for (const at::Device& device : devices)
  for (const json& r : manifest.at("references")) {
    const std::string family = r.at("transform");
    const json& d = manifest.at("transforms").at(family);
    const at::Tensor photo = fovea::engine::read_rgb_image(fixtures + "/photos/" + r.at("photo").get<std::string>());
    const at::Tensor ours = fovea::engine::apply_eval_transform(photo.to(device), transform_of(d)).cpu();
    // The batched path (GPU decoding and resizing) gives the same crop as the image-by-image one.
    const at::Tensor batch = fovea::engine::apply_eval_transform_batch(
        photo.unsqueeze(0).expand({2, -1, -1, -1}).contiguous().to(device), transform_of(d)).cpu();
    check(batch.sizes() == at::IntArrayRef({2, ours.size(0), ours.size(1), 3}) &&
              (batch[1].to(at::kInt) - ours.to(at::kInt)).abs().max().item<int>() == 0,
          std::string(device.is_cuda() ? "cuda " : "cpu ") + r.at("photo").get<std::string>() + " " + family +
              ": batched transform equals the single-image one");
    const at::Tensor normalised = fovea::engine::normalize_image(ours, triple(d.at("mean")), triple(d.at("std")));
    // Un-normalise, as the reference was, and compare in units of grey levels.
    const at::Tensor mean = at::tensor(std::vector<float>{triple(d.at("mean"))[0], triple(d.at("mean"))[1],
                                                          triple(d.at("mean"))[2]}).view({3, 1, 1});
    const at::Tensor std = at::tensor(std::vector<float>{triple(d.at("std"))[0], triple(d.at("std"))[1],
                                                         triple(d.at("std"))[2]}).view({3, 1, 1});
    const at::Tensor levels = (normalised * std + mean) * 255;
    const at::Tensor reference =
        fovea::engine::read_rgb_image(fixtures + "/preprocess/" + r.at("reference").get<std::string>())
            .permute({2, 0, 1}).to(at::kFloat);
    const bool same_shape = levels.sizes() == reference.sizes();
    double worst = 1e9, differing = 1;
    if (same_shape) {
      const at::Tensor difference = (levels - reference).abs();
      worst = difference.max().item<double>();
      differing = difference.gt(0.5).to(at::kDouble).mean().item<double>();
    }
    char line[160];
    std::snprintf(line, sizeof line, "%-4s %-14s %-12s max %.3f levels, %.2f%% values off by one",
                  device.is_cuda() ? "cuda" : "cpu", r.at("photo").get<std::string>().c_str(), family.c_str(), worst,
                  100 * differing);
    check(same_shape && worst <= 1.0 + 1e-3, line);  // within 1/255, in float rounding
    ++compared;
  }
  check(compared >= 20, std::to_string(compared) + " references compared");
  // Photos of different sizes (and one size twice) transformed together, grouped by size: each crop in
  // its place and equal to the image-by-image transform.
  for (const at::Device& device : devices) {
    std::vector<at::Tensor> photos;
    for (const json& r : manifest.at("references")) {
      photos.push_back(fovea::engine::read_rgb_image(fixtures + "/photos/" + r.at("photo").get<std::string>()).to(device));
      if (photos.size() == 4) break;
    }
    photos.push_back(photos.front());
    fovea::engine::EvalTransform t;
    t.interpolation = fovea::engine::Interpolation::Bicubic;
    t.resize = 248;
    const at::Tensor grouped = fovea::engine::apply_eval_transform_grouped(photos, t).cpu();
    bool same = grouped.size(0) == static_cast<int64_t>(photos.size());
    for (size_t i = 0; same && i < photos.size(); ++i)
      same = at::equal(grouped[static_cast<int64_t>(i)], fovea::engine::apply_eval_transform(photos[i], t).cpu());
    check(same, std::string(device.is_cuda() ? "cuda" : "cpu") + ": images of several sizes transformed together, grouped by size");
    // A batch over the pixel limit is resized a few images at a time, with the same result.
    const at::Tensor three = at::stack({photos[0], photos[0], photos[0]});
    const int64_t two_images = 2 * photos[0].size(0) * photos[0].size(1);
    check(at::equal(fovea::engine::apply_eval_transform_batch(three, t, two_images).cpu(),
                    fovea::engine::apply_eval_transform_batch(three, t).cpu()),
          std::string(device.is_cuda() ? "cuda" : "cpu") + ": a batch resized in parts equals it resized at once");
  }
  if (torch::cuda::is_available()) {
    // Decoding workers' images in pinned slabs (engine/data/pinned_slabs.h): the pixels of pageable decoding,
    // page-locked, side by side without overlapping; copied to the GPU asynchronously and dropped at once
    // while later images take their slab's memory, the copies still arrive intact.
    std::vector<std::string> paths;
    for (const json& r : manifest.at("references")) {
      paths.push_back(fixtures + "/photos/" + r.at("photo").get<std::string>());
      if (paths.size() == 4) break;
    }
    std::vector<at::Tensor> pinned, pageable, on_gpu;
    bool same = true;
    for (const std::string& path : paths) {
      pinned.push_back(fovea::engine::read_rgb_image(path, true));
      pageable.push_back(fovea::engine::read_rgb_image(path));
      same = same && pinned.back().is_pinned() && at::equal(pinned.back(), pageable.back());
    }
    check(same, "pinned decoding: page-locked, the same pixels");
    std::vector<std::pair<const uint8_t*, const uint8_t*>> ranges;
    for (const at::Tensor& t : pinned) ranges.emplace_back(t.data_ptr<uint8_t>(), t.data_ptr<uint8_t>() + t.numel());
    std::sort(ranges.begin(), ranges.end());
    bool apart = true;
    for (size_t i = 1; i < ranges.size(); ++i) apart = apart && ranges[i - 1].second <= ranges[i].first;
    check(apart, "pinned decoding: images do not overlap");
    pinned.clear();
    for (int round = 0; round < 40; ++round)
      for (const std::string& path : paths) on_gpu.push_back(fovea::engine::read_rgb_image(path, true).to(at::kCUDA, true));
    bool intact = true;
    for (size_t i = 0; i < on_gpu.size(); ++i) intact = intact && at::equal(on_gpu[i].cpu(), pageable[i % paths.size()]);
    check(intact, "pinned decoding: asynchronous copies intact while the slabs are reused");
  }
  std::printf("%s\n", failures ? "FAILED" : "all within 1/255");
  return failures ? 1 : 0;
}
