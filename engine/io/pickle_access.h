// Internal to the unpickler (pickle*.cpp): its write access to PickleValue containers, and the
// exception its helpers throw. Every change to a container goes through PickleAccess, so that two
// invariants hold: a container that has been referenced twice (memo GET, DUP) never changes again,
// which rules out cycles (a list appended to itself); and no container nests deeper than the limit,
// which keeps every recursive walk over the tree, destruction included, within a bounded stack.
#pragma once
#include <string>

#include "engine/io/pickle_value.h"

namespace fovea::engine {

// A problem found in the pickle; the unpickler adds the file name and the byte position.
struct PickleProblem {
  std::string reason;
};

struct PickleAccess {
  static void mark_shared(const PickleValue& value);
  // List or Set; throws PickleProblem if the target was shared or the result would nest too deep.
  static void append(PickleValue& target, PickleItems items, int max_depth);
  static void set_items(PickleValue& dict, PicklePairs items, int max_depth);
  static void add_attributes(PickleValue& dict, PicklePairs items, int max_depth);
  static PickleNdArray& ndarray(PickleValue& value);
  static PickleNumpyDType& numpy_dtype(PickleValue& value);
  static std::shared_ptr<const std::string> shared_bytes(const PickleValue& bytes);  // Bytes only
};

}  // namespace fovea::engine
