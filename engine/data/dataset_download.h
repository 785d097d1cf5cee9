// Downloads a data set of the catalogue (dataset_sources.h): each file fetched into `<file>.part`
// (resumed after an interruption), its checksum verified, renamed into place; CIFAR archives are then
// unpacked into the folder that probe_dataset recognises. Files already there and verified are not
// fetched again; a data set folder already there is used as it is.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/data/dataset_sources.h"

namespace fovea::engine {

struct DownloadRequest {
  std::string name;         // a dataset_sources() name
  std::string destination;  // folder, created when missing
  // Replaces the official base URL (the address up to the file name), for mirrors and tests. Empty:
  // $FOVEA_DATASET_MIRROR when set, else the official address.
  std::string mirror;
  // Used instead of the catalogue's entry for `name` when set: a private data set, or a test's.
  std::optional<DatasetSource> source;
  int retries = 3;               // further attempts, each resuming, after a dropped connection
  double retry_delay_seconds = 2;
};

struct DownloadStatus {
  std::string stage;             // "download", "verify", "extract"
  std::string file;              // the file being worked on
  int file_index = 0;            // 1-based, of file_count
  int file_count = 0;
  int64_t done = 0;              // bytes of this file (archive bytes unpacked, for "extract")
  int64_t total = -1;            // -1 while unknown
  double bytes_per_second = 0;   // of this transfer
  double elapsed_seconds = 0;    // of the whole download
  double eta_seconds = -1;       // of this file; negative while unknown
};

struct DownloadResult {
  std::string name;
  std::string path;                // the data set folder, as probe_dataset recognises it
  std::vector<std::string> files;  // the files verified by this call (archives stay next to the folder)
  int64_t bytes = 0;               // their total size
  int64_t transferred = 0;         // bytes fetched over the network by this call
  bool already_present = false;    // nothing had to be fetched or unpacked
};

// Called often (about 10 times a second while bytes arrive); may throw (JobCancelled) to stop, which
// keeps the partial file for the next attempt.
using DownloadProgress = std::function<void(const DownloadStatus&)>;
using DownloadLog = std::function<void(const std::string&)>;

// The URL a file is fetched from: the mirror (or source.base_url) followed by the file name.
std::string download_url(const DatasetSource& source, const RemoteFile& file, const std::string& mirror);

// Throws ConfigError for an unknown name; Error naming the folder when the destination cannot be
// created or written; Error/NetworkError with the URL for network and HTTP failures; DatasetError
// with expected and actual checksums for a corrupt download (its .part deleted) and naming the
// archive for one that is corrupt or hostile.
DownloadResult download_dataset(const DownloadRequest& request, const DownloadProgress& progress = nullptr,
                                const DownloadLog& log = nullptr);

}  // namespace fovea::engine
