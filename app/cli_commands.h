// The fovea-cli subcommands. Each returns the process exit code; errors are reported by cli_main.
#pragma once
#include <string>
#include <vector>

#include "engine/data/dataset_download.h"
#include "engine/eval_job.h"
#include "engine/export/export.h"
#include "engine/loaded_model.h"
#include "engine/train_config.h"

namespace fovea::cli {

int run_models(bool json);
int run_info(const std::string& data_path, bool json);
int run_presets(bool json);
// `progress_json`: rank 0 reports as JSON lines on stderr (engine/job_event_stream.h), for the GUI.
int run_train(const engine::TrainConfig& config, bool json, bool progress_json = false);
// fovea-cli train --gpus N: starts N local data-parallel workers running `fovea-cli <arguments>` (see
// engine/distributed/local_launcher.h) and waits; Ctrl-C stops them all; a failing rank ends the run.
int run_train_workers(const std::vector<std::string>& arguments, int processes);
int run_eval(const engine::EvalConfig& config, const std::string& results_path, bool json);

struct PredictRequest {
  std::string checkpoint;
  engine::ModelChoice choice;  // for files without Fovea metadata
  std::vector<std::string> images;
  int top_k = 5;
  std::string device = "auto";
  std::string saliency_dir;  // non-empty: a Grad-CAM overlay per image (CNNs) written here as PNG
};
int run_predict(const PredictRequest& request, bool json);
int run_export(const engine::ExportRequest& request, bool json);
int run_download(const engine::DownloadRequest& request, bool json);

}  // namespace fovea::cli
