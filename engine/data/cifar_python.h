// CIFAR-10 and CIFAR-100 "python version" (https://www.cs.toronto.edu/~kriz/cifar.html): each file is
// one dict pickled by Python 2's cPickle (protocol 2, so its keys are byte strings): b'data', a numpy
// uint8 array of N rows of 3072 bytes (the red, green and blue 32x32 planes); b'labels' (CIFAR-10) or
// b'fine_labels' and b'coarse_labels' (CIFAR-100), lists of N ints; b'filenames'; b'batch_label'.
// Read with the restricted unpickler (engine/io/pickle.h), which builds data and never runs code.
#pragma once
#include <string>
#include <vector>

#include "engine/data/labelled_images.h"

namespace fovea::engine {

enum class CifarVersion { Cifar10, Cifar100 };

// Appends one batch file (data_batch_1 ... test_batch, or train / test) to `out`, pixels as HWC.
// CIFAR-100's fine labels become `labels`, its coarse ones `coarse_labels`.
void read_cifar_python_batch(const std::string& path, CifarVersion version, LabelledImages& out);
// The number of images in a batch file; checks the file as read_cifar_python_batch does.
int64_t count_cifar_python_batch(const std::string& path, CifarVersion version);
// Reads the files in order; limit > 0 keeps the first `limit` images.
LabelledImages read_cifar_python_batches(const std::vector<std::string>& files, CifarVersion version, int64_t limit);

// A list of names in a meta file: b'label_names' in batches.meta (CIFAR-10), b'fine_label_names' or
// b'coarse_label_names' in meta (CIFAR-100).
std::vector<std::string> read_cifar_python_names(const std::string& path, const std::string& key);

}  // namespace fovea::engine
