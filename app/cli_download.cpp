// fovea-cli download: fetches a data set of the catalogue, progress on stderr like training's.
#include <cstdio>
#include <memory>

#include "app/cli_commands.h"
#include "app/cli_console.h"
#include "app/cli_output.h"
#include "engine/data/dataset_download_job.h"

namespace fovea::cli {
namespace {

double megabytes(int64_t bytes) { return static_cast<double>(bytes) / 1e6; }

// One live line: the file, MB done of MB, speed and ETA (see dataset_download_job.h for the fields).
class DownloadConsole : public ConsoleObserver {
 public:
  explicit DownloadConsole(const engine::DatasetSource& source) : source_(source) {}

  void on_progress(const engine::Progress& p) override {
    const size_t index = static_cast<size_t>(p.step_in_epoch) - 1;
    const std::string file = index < source_.files.size() ? source_.files[index].name : std::string();
    char amount[64];
    if (p.total_steps > 0) {
      std::snprintf(amount, sizeof amount, "%.1f of %.1f MB", megabytes(p.step), megabytes(p.total_steps));
    } else {
      std::snprintf(amount, sizeof amount, "%.1f MB", megabytes(p.step));
    }
    std::fprintf(stderr, "\r%s %s  %s  %.1f MB/s  ETA %s   ", p.phase.c_str(), file.c_str(), amount,
                 megabytes(static_cast<int64_t>(p.images_per_second)), format_duration(p.eta_seconds).c_str());
    std::fflush(stderr);
  }

 private:
  const engine::DatasetSource& source_;
};

}  // namespace

int run_download(const engine::DownloadRequest& request, bool json) {
  const engine::DatasetSource& source = engine::find_dataset_source(request.name);  // fails fast on a typo
  DownloadConsole observer(source);
  auto result = std::make_shared<engine::DownloadResult>();
  auto job = engine::make_download_job(request, observer, result);
  if (const int code = run_to_completion(*job, observer, "download")) {
    if (code == 130) std::fprintf(stderr, "fovea-cli: the partial file is kept: run the same command to resume\n");
    return code;
  }
  if (json) {
    print_json({{"name", result->name},
                {"path", result->path},
                {"files", result->files},
                {"bytes", result->bytes},
                {"transferred", result->transferred},
                {"already_present", result->already_present}});
  } else {
    std::printf("%s: %s\n", source.title.c_str(), result->path.c_str());
  }
  return 0;
}

}  // namespace fovea::cli
