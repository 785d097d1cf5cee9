#include "engine/io/file_bytes.h"

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "engine/errors.h"

namespace fovea::engine {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

std::unique_ptr<std::FILE, FileCloser> open_for_reading(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) throw Error("cannot read " + path + ": " + std::strerror(errno));
  return file;
}

bool has_gzip_magic(const std::string& path) {
  auto file = open_for_reading(path);
  unsigned char magic[2] = {0, 0};
  return std::fread(magic, 1, 2, file.get()) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

}  // namespace

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  auto file = open_for_reading(path);
  std::vector<uint8_t> bytes;
  uint8_t buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) bytes.insert(bytes.end(), buffer, buffer + n);
  if (std::ferror(file.get())) {
    // fopen opens a folder on Linux; reading it fails with EISDIR.
    if (errno == EISDIR) throw Error(path + ": is a folder, not a file");
    throw Error("error while reading " + path + ": " + std::strerror(errno));
  }
  return bytes;
}

std::vector<uint8_t> read_maybe_gzip(const std::string& path, size_t max_bytes) {
  if (!has_gzip_magic(path)) {
    std::vector<uint8_t> bytes = read_file_bytes(path);
    if (max_bytes > 0 && bytes.size() > max_bytes) bytes.resize(max_bytes);
    return bytes;
  }
  gzFile gz = gzopen(path.c_str(), "rb");
  if (!gz) throw Error("cannot read " + path + ": " + std::strerror(errno));
  gzbuffer(gz, 1 << 17);
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> buffer(1 << 17);
  for (;;) {
    size_t want = buffer.size();
    if (max_bytes > 0) want = std::min(want, max_bytes - bytes.size());
    if (want == 0) break;
    const int n = gzread(gz, buffer.data(), static_cast<unsigned>(want));
    if (n < 0) {
      int code = 0;
      const std::string reason = gzerror(gz, &code);
      gzclose(gz);
      throw Error("corrupt gzip file " + path + ": " + reason);
    }
    if (n == 0) break;
    bytes.insert(bytes.end(), buffer.begin(), buffer.begin() + n);
  }
  const bool reached_end = gzeof(gz) != 0;
  const int close_code = gzclose_r(gz);
  if (max_bytes == 0 && (!reached_end || close_code != Z_OK))
    throw Error("corrupt or truncated gzip file " + path);
  return bytes;
}

}  // namespace fovea::engine
