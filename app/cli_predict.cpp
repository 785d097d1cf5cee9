#include <cstdio>
#include <filesystem>

#include "app/cli_commands.h"
#include "app/cli_output.h"
#include "engine/device.h"
#include "engine/errors.h"
#include "engine/data/image_transform.h"
#include "engine/predictor.h"

namespace fovea::cli {
namespace {

// The Grad-CAM overlay of the best class as DIR/<name>.gradcam.png; "" for models without one.
std::string write_saliency(const engine::Predictor& predictor, const std::string& image, const std::string& dir) {
  const auto map = predictor.saliency(engine::read_rgb_image(image), -1);
  if (!map) return "";
  std::filesystem::create_directories(dir);
  const std::string path = (std::filesystem::path(dir) / std::filesystem::path(image).stem()).string() + ".gradcam.png";
  engine::write_png(path, map->overlay);
  return path;
}

}  // namespace

int run_predict(const PredictRequest& request, bool json) {
  if (request.images.empty()) throw engine::ConfigError("no image given");
  if (request.top_k < 1) throw engine::ConfigError("--topk must be at least 1, got " + std::to_string(request.top_k));
  engine::use_all_cpu_cores();
  const c10::Device device = engine::resolve_device(request.device);
  engine::LoadedModel loaded = engine::load_model(request.checkpoint, request.choice);
  for (const std::string& note : loaded.notes) std::fprintf(stderr, "%s\n", note.c_str());
  const engine::Predictor predictor(std::move(loaded), device);

  nlohmann::json results = nlohmann::json::array();
  int failures = 0;
  bool told_no_saliency = false;
  for (const std::string& image : request.images) {
    const engine::ImagePrediction p = predictor.classify_file(image, request.top_k);
    if (!p.error.empty()) {
      ++failures;
      std::fprintf(stderr, "fovea-cli: error: %s\n", p.error.c_str());
      results.push_back({{"file", image}, {"error", p.error}});
      continue;
    }
    std::string saliency_file;
    if (!request.saliency_dir.empty()) {
      saliency_file = write_saliency(predictor, image, request.saliency_dir);
      if (saliency_file.empty() && !told_no_saliency) {
        std::fprintf(stderr, "fovea-cli: note: no Grad-CAM for %s: it needs a convolutional network\n",
                     predictor.loaded().spec.name.c_str());
        told_no_saliency = true;
      }
    }
    nlohmann::json top = nlohmann::json::array();
    for (const auto& c : p.top) top.push_back({{"index", c.index}, {"name", c.name}, {"probability", c.probability}});
    results.push_back({{"file", image}, {"width", p.width}, {"height", p.height}, {"milliseconds", p.milliseconds},
                       {"top", top}});
    if (!saliency_file.empty()) results.back()["saliency"] = saliency_file;
    if (!json) {
      std::printf("%s (%.1f ms)\n", image.c_str(), p.milliseconds);
      for (const auto& c : p.top) std::printf("  %6.2f%%  %s (%lld)\n", 100.0 * c.probability, c.name.c_str(),
                                              static_cast<long long>(c.index));
    }
  }
  if (json)
    print_json({{"checkpoint", request.checkpoint},
                {"model", predictor.loaded().spec.name},
                {"device", engine::describe_device(device)},
                {"results", results}});
  // Every file is reported; the exit code says whether any could not be classified.
  return failures > 0 ? 1 : 0;
}

}  // namespace fovea::cli
