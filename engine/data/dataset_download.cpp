#include "engine/data/dataset_download.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "engine/data/dataset_info.h"
#include "engine/data/tar_reader.h"
#include "engine/errors.h"
#include "engine/net/http_download.h"

namespace fovea::engine {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Turns byte counts into DownloadStatus reports with speed and ETA, at most ~10 a second.
class Reporter {
 public:
  Reporter(const DownloadProgress& progress, int file_count) : progress_(progress), count_(file_count) {}

  void begin(const std::string& stage, const std::string& file, int index, int64_t start_bytes) {
    status_ = DownloadStatus{stage, file, index, count_, start_bytes, -1, 0, 0, -1};
    stage_start_ = Clock::now();
    start_bytes_ = start_bytes;
    last_ = {};
  }

  void update(int64_t done, int64_t total, bool force = false) {
    if (!progress_) return;
    const auto now = Clock::now();
    if (!force && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    status_.done = done;
    status_.total = total;
    const double seconds = std::chrono::duration<double>(now - stage_start_).count();
    status_.bytes_per_second = seconds > 0.2 ? static_cast<double>(done - start_bytes_) / seconds : 0;
    status_.eta_seconds = total >= 0 && status_.bytes_per_second > 0
                              ? static_cast<double>(total - done) / status_.bytes_per_second : -1;
    status_.elapsed_seconds = seconds_since(start_);
    progress_(status_);
  }

 private:
  const DownloadProgress& progress_;
  int count_;
  DownloadStatus status_;
  Clock::time_point start_ = Clock::now(), stage_start_, last_;
  int64_t start_bytes_ = 0;
};

int64_t size_of(const fs::path& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  return ec ? 0 : static_cast<int64_t>(size);
}

void prepare_destination(const fs::path& dest) {
  std::error_code ec;
  fs::create_directories(dest, ec);
  if (ec) throw Error("cannot create the destination folder " + dest.string() + ": " + ec.message());
  if (!fs::is_directory(dest)) throw Error("the destination " + dest.string() + " is not a folder");
  if (::access(dest.c_str(), W_OK | X_OK) != 0)
    throw Error("the destination folder " + dest.string() + " is not writable");
}

// A verified file under its final name, or an error: a file we did not verify is never replaced.
void verify(const fs::path& file, const RemoteFile& remote, Reporter& report, const std::string& shown_as) {
  const int64_t size = size_of(file);
  const std::string actual = file_digest(file.string(), remote.digest_kind, [&](int64_t done) { report.update(done, size); });
  if (actual != remote.digest)
    throw DatasetError(shown_as + ": " + digest_name(remote.digest_kind) + " mismatch: expected " + remote.digest +
                       ", got " + actual);
}

// Fetches into `<target>.part`, resuming after dropped connections; returns the bytes transferred.
int64_t fetch(const std::string& url, const fs::path& part, const DownloadRequest& request, Reporter& report,
              const DownloadLog& log) {
  int64_t transferred = 0;
  for (int attempt = 0;; ++attempt) {
    const int64_t before = size_of(part);
    int64_t last_done = before;
    try {
      const TransferResult result = http_download(url, part.string(), [&](int64_t done, int64_t total) {
        last_done = done;
        report.update(done, total);
      });
      report.update(result.bytes, result.bytes, true);
      return transferred + result.bytes - result.resumed_at;
    } catch (const NetworkError& e) {
      transferred += std::max<int64_t>(0, last_done - before);
      if (attempt >= request.retries) throw;
      const int64_t have = size_of(part);
      if (log) log(std::string(e.what()) + "; trying again" + (have > 0 ? ", resuming at byte " + std::to_string(have) : ""));
      const auto until = Clock::now() + std::chrono::duration<double>(request.retry_delay_seconds);
      while (Clock::now() < until) {  // a cancel is heard while waiting too
        report.update(have, -1);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  }
}

// Removes a folder when it goes out of scope (the unpacking area, whatever happens).
struct TemporaryFolder {
  fs::path path;
  ~TemporaryFolder() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

void unpack(const fs::path& archive, const fs::path& dest, const std::string& folder, Reporter& report) {
  std::string pattern = (dest / ".fovea-unpack-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw Error("cannot create a folder in " + dest.string() + " to unpack " + archive.string());
  TemporaryFolder temp{pattern};
  const int64_t size = size_of(archive);
  extract_tar(archive.string(), temp.path.string(), [&](int64_t bytes) { report.update(bytes, -1); });
  report.update(size, size, true);
  const fs::path unpacked = temp.path / folder;
  if (!fs::is_directory(unpacked))
    throw DatasetError(archive.string() + ": the archive has no folder " + folder + "/");
  std::error_code ec;
  fs::rename(unpacked, dest / folder, ec);
  if (ec) throw Error("cannot move the unpacked " + folder + " into " + dest.string() + ": " + ec.message());
}

}  // namespace

std::string download_url(const DatasetSource& source, const RemoteFile& file, const std::string& mirror) {
  std::string base = mirror;
  if (base.empty()) {
    if (const char* env = std::getenv("FOVEA_DATASET_MIRROR")) base = env;
  }
  if (base.empty()) base = source.base_url;
  if (base.back() != '/') base += '/';
  return base + file.name;
}

DownloadResult download_dataset(const DownloadRequest& request, const DownloadProgress& progress, const DownloadLog& log) {
  const DatasetSource& source = request.source ? *request.source : find_dataset_source(request.name);
  const fs::path dest(request.destination.empty() ? "." : request.destination);
  prepare_destination(dest);
  const fs::path folder = dest / source.folder;

  DownloadResult result;
  result.name = source.name;
  result.path = folder.string();
  if (source.extract && fs::exists(folder)) {
    try {
      probe_dataset(folder.string());
    } catch (const std::exception& e) {
      throw DatasetError(folder.string() + " exists but is not a complete " + source.title +
                         " folder; remove it or choose another destination (" + e.what() + ")");
    }
    if (log) log(source.title + " is already in " + folder.string());
    result.already_present = true;
    return result;
  }
  const fs::path files_at = source.extract ? dest : folder;
  if (!source.extract) prepare_destination(folder);

  Reporter report(progress, static_cast<int>(source.files.size()));
  bool fetched_any = false;
  for (size_t i = 0; i < source.files.size(); ++i) {
    const RemoteFile& remote = source.files[i];
    const int index = static_cast<int>(i) + 1;
    const fs::path target = files_at / remote.name;
    if (fs::exists(target)) {  // ours only after verification; a user's file is checked, never replaced
      report.begin("verify", remote.name, index, 0);
      verify(target, remote, report, target.string() + " (already there)");
      if (log) log(target.string() + " is already downloaded and verified");
    } else {
      fs::path part = target;
      part += ".part";
      const std::string url = download_url(source, remote, request.mirror);
      report.begin("download", remote.name, index, size_of(part));
      if (log) log("downloading " + url + (size_of(part) > 0 ? ", resuming at byte " + std::to_string(size_of(part)) : ""));
      result.transferred += fetch(url, part, request, report, log);
      report.begin("verify", remote.name, index, 0);
      try {
        verify(part, remote, report, url);
      } catch (const DatasetError& e) {
        std::error_code ec;
        fs::remove(part, ec);  // a corrupt file is no base to resume from
        throw DatasetError(std::string(e.what()) + " (the download was deleted; try again)");
      }
      std::error_code ec;
      fs::rename(part, target, ec);
      if (ec) throw Error("cannot rename " + part.string() + " to " + target.filename().string() + ": " + ec.message());
      fetched_any = true;
    }
    result.files.push_back(target.string());
    result.bytes += size_of(target);
  }

  if (source.extract) {
    const fs::path archive = files_at / source.files.front().name;
    report.begin("extract", source.files.front().name, 1, 0);
    if (log) log("unpacking " + archive.string());
    unpack(archive, dest, source.folder, report);
    fetched_any = true;
  }
  probe_dataset(folder.string());  // what the caller will open must open
  result.already_present = !fetched_any;
  if (log) log(source.title + " is ready in " + folder.string());
  return result;
}

}  // namespace fovea::engine
