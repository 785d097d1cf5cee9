// The data sets Fovea can download: where their files are published and their checksums.
#pragma once
#include <string>
#include <vector>

#include "engine/net/file_digest.h"

namespace fovea::engine {

struct RemoteFile {
  std::string name;      // the file name, on the server and on disk
  DigestKind digest_kind = DigestKind::Md5;
  std::string digest;    // lowercase hex
};

struct DatasetSource {
  std::string name;      // for the command line: "cifar10", "fashion-mnist", ...
  std::string title;     // for people: "CIFAR-10 (python version)"
  std::string base_url;  // the files are base_url + name
  std::vector<RemoteFile> files;
  bool extract = false;  // .tar.gz archives to unpack; otherwise the files are the data set
  // The folder, relative to the destination, that probe_dataset recognises: what an archive unpacks
  // to, or where the files are put.
  std::string folder;
};

const std::vector<DatasetSource>& dataset_sources();
// Throws ConfigError listing the known names.
const DatasetSource& find_dataset_source(const std::string& name);

}  // namespace fovea::engine
