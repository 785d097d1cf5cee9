#include "engine/io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "engine/errors.h"

namespace fovea::engine {
namespace {

std::string describe_errno() { return std::strerror(errno); }

void fsync_folder(const std::string& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // best effort: some file systems do not allow opening folders
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

AtomicFileWriter::AtomicFileWriter(std::string final_path) : final_path_(std::move(final_path)) {
  std::filesystem::path final_fs(final_path_);
  const std::string name = final_fs.filename().string();
  if (name.empty()) throw Error("cannot write '" + final_path_ + "': not a file name");
  std::filesystem::path folder = final_fs.parent_path();
  std::string pattern = (folder / ("." + name + ".tmp-XXXXXX")).string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  fd_ = ::mkstemp(buffer.data());
  if (fd_ < 0) throw Error("cannot write " + final_path_ + ": " + describe_errno());
  temp_path_ = buffer.data();
}

AtomicFileWriter::~AtomicFileWriter() {
  if (!committed_) discard();
}

void AtomicFileWriter::write(const void* data, size_t size) {
  if (fd_ < 0) throw Error("cannot write " + final_path_ + ": writer is closed");
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd_, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string reason = describe_errno();
      discard();
      throw Error("cannot write " + final_path_ + ": " + reason);
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
}

void AtomicFileWriter::commit() {
  if (fd_ < 0) throw Error("cannot write " + final_path_ + ": writer is closed");
  if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
    const std::string reason = describe_errno();
    fd_ = -1;
    discard();
    throw Error("cannot write " + final_path_ + ": " + reason);
  }
  fd_ = -1;
  ::chmod(temp_path_.c_str(), 0644);  // mkstemp creates 0600; checkpoints are ordinary files
  if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    const std::string reason = describe_errno();
    discard();
    throw Error("cannot write " + final_path_ + ": " + reason);
  }
  committed_ = true;
  const std::string folder = std::filesystem::path(final_path_).parent_path().string();
  fsync_folder(folder.empty() ? "." : folder);
}

void AtomicFileWriter::discard() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
}

void write_file_atomically(const std::string& path, const std::string& content) {
  AtomicFileWriter writer(path);
  writer.write(content.data(), content.size());
  writer.commit();
}

}  // namespace fovea::engine
