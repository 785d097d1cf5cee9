#include "engine/data/dataset_sources.h"

#include "engine/errors.h"

namespace fovea::engine {
namespace {

// The authors' own addresses; the checksums are those torchvision verifies.
const std::string kToronto = "https://www.cs.toronto.edu/~kriz/";
const std::string kZalando = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

DatasetSource cifar(const char* name, const char* title, const char* file, const char* md5, const char* folder) {
  return {name, title, kToronto, {{file, DigestKind::Md5, md5}}, true, folder};
}

}  // namespace

const std::vector<DatasetSource>& dataset_sources() {
  static const std::vector<DatasetSource> sources = {
      cifar("cifar10", "CIFAR-10 (python version)", "cifar-10-python.tar.gz", "c58f30108f718f92721af3b95e74349a",
            "cifar-10-batches-py"),
      cifar("cifar10-binary", "CIFAR-10 (binary version)", "cifar-10-binary.tar.gz", "c32a1d4ab5d03f1284b67883e8d87530",
            "cifar-10-batches-bin"),
      cifar("cifar100", "CIFAR-100 (python version)", "cifar-100-python.tar.gz", "eb9058c3a382ffc7106e4002c42a8d85",
            "cifar-100-python"),
      cifar("cifar100-binary", "CIFAR-100 (binary version)", "cifar-100-binary.tar.gz", "03b5dce01913d631647c71ecec9e9cb8",
            "cifar-100-binary"),
      {"fashion-mnist",
       "Fashion-MNIST",
       kZalando,
       {{"train-images-idx3-ubyte.gz", DigestKind::Md5, "8d4fb7e6c68d591d4c3dfef9ec88bf0d"},
        {"train-labels-idx1-ubyte.gz", DigestKind::Md5, "25c81989df183df01b3e8a0aad5dffbe"},
        {"t10k-images-idx3-ubyte.gz", DigestKind::Md5, "bef4ecab320f06d8554ea6380940ec79"},
        {"t10k-labels-idx1-ubyte.gz", DigestKind::Md5, "bb300cfdad3c16e7a12a480ee83cd310"}},
       false,
       "fashion-mnist"},  // the name tells probe_dataset these IDX files are Fashion-MNIST's classes
  };
  return sources;
}

const DatasetSource& find_dataset_source(const std::string& name) {
  std::string known;
  for (const DatasetSource& source : dataset_sources()) {
    if (source.name == name) return source;
    known += (known.empty() ? "" : ", ") + source.name;
  }
  throw ConfigError("unknown data set '" + name + "' (known: " + known + ")");
}

}  // namespace fovea::engine
