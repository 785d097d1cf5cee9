// One HTTP(S) file transfer into a partial file, resumable: libcurl under the hood, no Qt.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "engine/errors.h"

namespace fovea::engine {

// A transfer that failed on the way (connection refused or dropped, timeout, HTTP 5xx): worth trying
// again, resuming. Other failures (HTTP 404, a file that cannot be written) are plain Errors.
struct NetworkError : Error {
  using Error::Error;
};

// Bytes of the whole file so far (counting those already in the partial file before this transfer)
// and its size, or -1 while the server has not said. May throw (JobCancelled, ...): the transfer is
// aborted, the partial file kept, and the exception rethrown by http_download.
using TransferProgress = std::function<void(int64_t done, int64_t total)>;

struct TransferResult {
  int64_t bytes = 0;       // size of the partial file afterwards
  int64_t resumed_at = 0;  // the offset the server continued from (206); 0 when it sent the whole file
  long status = 0;         // HTTP status of the last response
};

// Fetches `url` into `part_path`. When that file exists with N bytes, asks for `Range: bytes=N-` and
// appends if the server answers 206 for that offset; a 200 replaces the partial file from the start;
// a 416 (nothing after N) leaves it as it is, for the caller's checksum to judge. Throws Error with
// curl's message and the URL on network failures (NetworkError), with the status and URL on HTTP errors (404, ...),
// and naming the file when it cannot be written.
TransferResult http_download(const std::string& url, const std::string& part_path, const TransferProgress& progress);

}  // namespace fovea::engine
