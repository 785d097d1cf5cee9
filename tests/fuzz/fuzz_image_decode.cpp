// Decoding image files into a training set (engine/data/image_decode.h: OpenCV behind Fovea's checks of
// channels, sizes and memory), one fuzzed file as a one-image folder.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "engine/data/image_decode.h"
#include "fuzz_target.h"

void fuzz_one_input(std::span<const uint8_t> data) {
  static const std::string folder = "/tmp/fovea-fuzz-decode-" + std::to_string(::getpid());
  static const bool made = std::filesystem::create_directories(folder) || std::filesystem::is_directory(folder);
  if (!made) return;
  if (std::FILE* f = std::fopen((folder + "/image.png").c_str(), "wb")) {
    std::fwrite(data.data(), 1, data.size(), f);
    std::fclose(f);
  }
  fovea::engine::ImageFileList files;
  files.add(files.add_folder(folder), "image.png", 0);
  (void)fovea::engine::decode_image_files(files, 0, /*max_bytes=*/int64_t{64} << 20);
}
