#include "engine/data/dataset_download_job.h"

#include <utility>

namespace fovea::engine {

std::unique_ptr<Job> make_download_job(const DownloadRequest& request, JobObserver& observer,
                                       std::shared_ptr<DownloadResult> result) {
  auto work = [request, result = std::move(result)](JobControl& control, JobObserver& obs) {
    const auto progress = [&](const DownloadStatus& s) {
      control.checkpoint();  // a cancel throws here, inside curl's callback: the transfer stops cleanly
      Progress p;
      p.phase = s.stage;
      p.step_in_epoch = s.file_index;
      p.steps_per_epoch = s.file_count;
      p.step = s.done;
      p.total_steps = s.total < 0 ? 0 : s.total;
      p.images_per_second = s.bytes_per_second;
      p.elapsed_seconds = s.elapsed_seconds;
      p.eta_seconds = s.eta_seconds;
      obs.on_progress(p);
    };
    const auto log = [&](const std::string& line) { say(obs, log::Level::Info, line); };
    DownloadResult done = download_dataset(request, progress, log);
    if (result) *result = std::move(done);
  };
  return std::make_unique<Job>(std::move(work), observer);
}

}  // namespace fovea::engine
