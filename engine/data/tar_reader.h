// Unpacks tar archives (ustar, with GNU long names and pax paths), gzip-compressed or not, the way the
// CIFAR archives are made. Only regular files and folders are written; an archive is hostile and
// refused as a whole when an entry's path is absolute or has a `..` component, or when it holds links
// or devices: nothing of it can land outside the target folder.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace fovea::engine {

struct TarContents {
  int64_t files = 0;
  int64_t bytes = 0;                   // of the files written
  std::vector<std::string> top_level;  // first path components, in order of appearance, once each
};

// The path an entry may be written to, relative and normalised ("./a//b" -> "a/b"); throws
// DatasetError naming the archive and entry when it would escape (absolute, `..`) or is empty.
std::string safe_entry_path(const std::string& archive, const std::string& entry);

// Extracts `archive` (.tar.gz or .tar) into `folder`, which must exist (best: a fresh, empty one, so
// that a refused archive leaves nothing behind). `progress(bytes)` is called every MiB or so of file
// data and may throw to stop. Throws DatasetError naming the archive (and entry) for corrupt,
// truncated or hostile archives, Error naming the file when one cannot be written.
TarContents extract_tar(const std::string& archive, const std::string& folder,
                        const std::function<void(int64_t)>& progress = nullptr);

}  // namespace fovea::engine
