#include "engine/data/probe_util.h"

#include "engine/errors.h"

namespace fovea::engine::probe {

bool is_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

std::optional<std::string> first_existing(const fs::path& dir, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (is_file(dir / name)) return (dir / name).string();
  }
  return std::nullopt;
}

fs::path subfolder_or_self(const fs::path& dir, const char* sub) { return is_dir(dir / sub) ? dir / sub : dir; }

int64_t file_size(const std::string& file) {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  if (ec) throw DatasetError("cannot read " + file + ": " + ec.message());
  return static_cast<int64_t>(size);
}

}  // namespace fovea::engine::probe
