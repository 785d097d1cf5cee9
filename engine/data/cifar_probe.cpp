// Recognises the CIFAR-10 and CIFAR-100 archives as unpacked: binary versions (cifar-10-batches-bin/,
// cifar-100-binary/) and python versions (cifar-10-batches-py/, cifar-100-python/), given either the
// folder itself or the folder it was unpacked into.
#include <cstdio>

#include "engine/data/cifar_python.h"
#include "engine/data/cifar_reader.h"
#include "engine/data/probe_util.h"
#include "engine/errors.h"
#include "resources/embedded.h"

namespace fovea::engine::probe {
namespace {

int64_t binary_records(const std::string& file, int64_t record_bytes, const char* version) {
  const int64_t size = file_size(file);
  if (size == 0 || size % record_bytes != 0)
    throw DatasetError(file + ": " + std::to_string(size) + " bytes is not a whole number of " +
                       std::to_string(record_bytes) + "-byte " + version + " records (truncated or not " + version +
                       " binary)");
  return size / record_bytes;
}

// A names file if the folder has one, else the list Fovea ships; either way it must have `count` names.
std::vector<std::string> class_names(const fs::path& dir, const std::string& file, const char* shipped, size_t count) {
  std::vector<std::string> names;
  std::string where = std::string("the shipped ") + shipped + " list";
  if (auto f = first_existing(dir, {file})) {
    names = read_class_names_file(*f);
    where = *f;
  } else {
    names = resources::class_names(shipped);
  }
  if (names.size() != count)
    throw DatasetError(where + ": expected " + std::to_string(count) + " class names, found " + std::to_string(names.size()));
  return names;
}

DatasetInfo cifar_info(const fs::path& dir, DatasetFormat format, const char* name) {
  DatasetInfo info;
  info.root = dir.string();
  info.format = format;
  info.format_name = name;
  info.height = info.width = kCifarSide;
  info.channels = 3;
  return info;
}

// How a pickle of a dict starts: PROTO (protocol 2 and later), EMPTY_DICT (1) or MARK (0).
bool starts_with_pickle(const std::string& file) {
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (!f) return false;
  const int first = std::fgetc(f);
  std::fclose(f);
  return first == 0x80 || first == '}' || first == '(';
}

std::vector<std::string> numbered_batches(const fs::path& dir, const std::string& suffix) {
  std::vector<std::string> files;
  for (int i = 1; i <= 5; ++i) {
    if (auto f = first_existing(dir, {"data_batch_" + std::to_string(i) + suffix})) files.push_back(*f);
  }
  return files;
}

std::optional<DatasetInfo> cifar10_python(const fs::path& given) {
  const fs::path dir = subfolder_or_self(given, "cifar-10-batches-py");
  const std::vector<std::string> train = numbered_batches(dir, "");
  const auto test = first_existing(dir, {"test_batch"});
  if (train.empty() && !test) return std::nullopt;
  if (train.empty() || !test)
    throw DatasetError(dir.string() + ": incomplete CIFAR-10 python data set (need data_batch_1 ... and test_batch)");
  DatasetInfo info = cifar_info(dir, DatasetFormat::Cifar10Python, "CIFAR-10 (python version)");
  info.train_files = train;
  info.test_files = {*test};
  for (const std::string& f : train) info.train_count += count_cifar_python_batch(f, CifarVersion::Cifar10);
  info.test_count = count_cifar_python_batch(*test, CifarVersion::Cifar10);
  if (auto meta = first_existing(dir, {"batches.meta"})) {
    info.class_names = read_cifar_python_names(*meta, "label_names");
    if (info.class_names.size() != 10)
      throw DatasetError(*meta + ": expected 10 class names, found " + std::to_string(info.class_names.size()));
  } else {
    info.class_names = resources::class_names("cifar10");
  }
  info.split_layout = "files data_batch_1 ... data_batch_" + std::to_string(train.size()) + " and test_batch";
  return info;
}

std::optional<DatasetInfo> cifar100_python(const fs::path& given) {
  const fs::path dir = subfolder_or_self(given, "cifar-100-python");
  const auto train = first_existing(dir, {"train"});
  const auto test = first_existing(dir, {"test"});
  // "train" and "test" are common names: only pickles make this a CIFAR-100 folder.
  if ((!train || !starts_with_pickle(*train)) && (!test || !starts_with_pickle(*test))) return std::nullopt;
  if (!train || !test)
    throw DatasetError(dir.string() + ": incomplete CIFAR-100 python data set (need the files train and test)");
  DatasetInfo info = cifar_info(dir, DatasetFormat::Cifar100Python, "CIFAR-100 (python version)");
  info.train_files = {*train};
  info.test_files = {*test};
  info.train_count = count_cifar_python_batch(*train, CifarVersion::Cifar100);
  info.test_count = count_cifar_python_batch(*test, CifarVersion::Cifar100);
  if (auto meta = first_existing(dir, {"meta"})) {
    info.class_names = read_cifar_python_names(*meta, "fine_label_names");
    info.coarse_class_names = read_cifar_python_names(*meta, "coarse_label_names");
    if (info.class_names.size() != 100 || info.coarse_class_names.size() != 20)
      throw DatasetError(*meta + ": expected 100 fine and 20 coarse class names, found " +
                         std::to_string(info.class_names.size()) + " and " +
                         std::to_string(info.coarse_class_names.size()));
  } else {
    info.class_names = resources::class_names("cifar100");
    info.coarse_class_names = resources::class_names("cifar100-coarse");
  }
  info.split_layout = "files train and test";
  info.notes.push_back("trains on the 100 fine labels; the 20 coarse labels are read too");
  return info;
}

}  // namespace

std::optional<DatasetInfo> cifar10_binary(const fs::path& given) {
  const fs::path dir = subfolder_or_self(given, "cifar-10-batches-bin");
  const std::vector<std::string> train = numbered_batches(dir, ".bin");
  const auto test = first_existing(dir, {"test_batch.bin"});
  if (train.empty() && !test) return std::nullopt;
  if (train.empty() || !test)
    throw DatasetError(dir.string() + ": incomplete CIFAR-10 binary data set (need data_batch_1.bin ... and test_batch.bin)");
  DatasetInfo info = cifar_info(dir, DatasetFormat::Cifar10Binary, "CIFAR-10 (binary version)");
  info.train_files = train;
  info.test_files = {*test};
  for (const std::string& f : train) info.train_count += binary_records(f, kCifar10RecordBytes, "CIFAR-10");
  info.test_count = binary_records(*test, kCifar10RecordBytes, "CIFAR-10");
  info.class_names = class_names(dir, "batches.meta.txt", "cifar10", 10);
  info.split_layout = "files data_batch_1.bin ... data_batch_" + std::to_string(train.size()) + ".bin and test_batch.bin";
  return info;
}

std::optional<DatasetInfo> cifar100_binary(const fs::path& given) {
  const fs::path dir = subfolder_or_self(given, "cifar-100-binary");
  const auto train = first_existing(dir, {"train.bin"});
  const auto test = first_existing(dir, {"test.bin"});
  if (!train && !test) return std::nullopt;
  if (!train || !test)
    throw DatasetError(dir.string() + ": incomplete CIFAR-100 binary data set (need train.bin and test.bin)");
  DatasetInfo info = cifar_info(dir, DatasetFormat::Cifar100Binary, "CIFAR-100 (binary version)");
  info.train_files = {*train};
  info.test_files = {*test};
  info.train_count = binary_records(*train, kCifar100RecordBytes, "CIFAR-100");
  info.test_count = binary_records(*test, kCifar100RecordBytes, "CIFAR-100");
  info.class_names = class_names(dir, "fine_label_names.txt", "cifar100", 100);
  info.coarse_class_names = class_names(dir, "coarse_label_names.txt", "cifar100-coarse", 20);
  info.split_layout = "files train.bin and test.bin";
  info.notes.push_back("trains on the 100 fine labels; the 20 coarse labels are read too");
  return info;
}

std::optional<DatasetInfo> cifar_python(const fs::path& dir) {
  if (auto info = cifar10_python(dir)) return info;
  return cifar100_python(dir);
}

}  // namespace fovea::engine::probe
