// download_dataset (dataset_download.h) as a Job: on its own thread, cancellable, reporting through
// the observer. Progress fields carry bytes for this job:
//   phase             "download", "verify" or "extract"
//   step_in_epoch     the file's 1-based index, of steps_per_epoch files (the source's files order)
//   step, total_steps bytes of that file done, and in all (total_steps 0 while unknown)
//   images_per_second bytes per second; eta_seconds for this file (negative while unknown)
// Log lines name the URL and files. A cancel keeps the partial file, so the next job resumes.
#pragma once
#include <memory>

#include "engine/data/dataset_download.h"
#include "engine/job.h"

namespace fovea::engine {

// `result` is filled before the job reports Finished; read it after that.
std::unique_ptr<Job> make_download_job(const DownloadRequest& request, JobObserver& observer,
                                       std::shared_ptr<DownloadResult> result);

}  // namespace fovea::engine
