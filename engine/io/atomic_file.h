// Writes a file so that its final name only ever holds a complete file: data goes to a temporary
// file in the same folder, which is fsync'ed, renamed over the final name, and the folder fsync'ed.
// If anything fails, or commit() is never reached, the temporary file is removed.
#pragma once
#include <cstddef>
#include <string>

namespace fovea::engine {

class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(std::string final_path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void write(const void* data, size_t size);  // throws Error naming the final path (disk full, ...)
  void commit();
  const std::string& temporary_path() const { return temp_path_; }

 private:
  void discard() noexcept;
  std::string final_path_;
  std::string temp_path_;
  int fd_ = -1;
  bool committed_ = false;
};

// Convenience: the whole content at once.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace fovea::engine
