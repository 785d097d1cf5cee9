#include "engine/data/image_folder_scan.h"

#include <algorithm>
#include <utility>

#include "engine/errors.h"

namespace fovea::engine {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxDepth = 32;  // nested folders in a class folder; deeper is a symbolic-link loop

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool ends_with_lower(std::string_view name, std::string_view suffix) {
  if (name.size() < suffix.size()) return false;
  const std::string_view tail = name.substr(name.size() - suffix.size());
  return std::equal(tail.begin(), tail.end(), suffix.begin(), [](char a, char b) { return ascii_lower(a) == b; });
}

// One folder of a class, relative to the class folder ("" for itself, "a/b" below it), and its images.
struct Walked {
  std::string relative;
  std::vector<std::string> images;
};

void walk(const fs::path& dir, const std::string& relative, int depth, std::vector<Walked>& out, int64_t& other_files) {
  if (depth > kMaxDepth)
    throw DatasetError(dir.string() + ": folders nest more than " + std::to_string(kMaxDepth) +
                       " deep (a symbolic link that points to a folder above it?)");
  FolderEntries entries = read_folder(dir);
  other_files += entries.other_files;
  out.push_back({relative, std::move(entries.images)});
  for (const std::string& sub : entries.folders) {
    walk(dir / sub, relative.empty() ? sub : relative + "/" + sub, depth + 1, out, other_files);
  }
}

}  // namespace

bool has_image_extension(std::string_view file_name) {
  for (std::string_view ext : {".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"}) {
    if (ends_with_lower(file_name, ext)) return true;
  }
  return false;
}

FolderEntries read_folder(const fs::path& dir) {
  FolderEntries out;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (is_hidden(name)) continue;
    std::error_code type_ec;
    if (it->is_directory(type_ec)) {
      out.folders.push_back(std::move(name));
    } else if (it->is_regular_file(type_ec)) {
      if (has_image_extension(name)) {
        out.images.push_back(std::move(name));
      } else {
        ++out.other_files;
      }
    }  // broken links, sockets, ...: not files of a data set
  }
  if (ec) throw DatasetError("cannot read the folder " + dir.string() + ": " + ec.message());
  std::sort(out.folders.begin(), out.folders.end());
  std::sort(out.images.begin(), out.images.end());
  return out;
}

int64_t scan_class_folder(const fs::path& class_dir, int64_t label, ImageFileList& out, int64_t& other_files) {
  std::vector<Walked> walked;
  walk(class_dir, "", 0, walked, other_files);
  // torchvision sorts os.walk's (root, dirs, files) tuples, i.e. by the whole folder path: "a b" comes
  // before "a/x" because ' ' < '/', which a depth-first walk would not give.
  std::sort(walked.begin(), walked.end(), [](const Walked& a, const Walked& b) { return a.relative < b.relative; });
  int64_t found = 0;
  for (const Walked& w : walked) {
    if (w.images.empty()) continue;
    const std::string folder = w.relative.empty() ? class_dir.string() : (class_dir / w.relative).string();
    const uint32_t index = out.add_folder(folder);
    for (const std::string& image : w.images) out.add(index, image, label);
    found += static_cast<int64_t>(w.images.size());
  }
  return found;
}

}  // namespace fovea::engine
