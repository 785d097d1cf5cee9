// A restricted unpickler for the pickles that PyTorch checkpoints and Python datasets hold (protocols
// 0-5, Python 2 and 3 writers). It builds a PickleValue tree and never executes anything: a global is
// looked up in an allow-list of constructs that are turned into data (OrderedDict, the torch tensor
// rebuild functions, numpy arrays and scalars, argparse.Namespace, ...); any other global is an error,
// and so is REDUCE, NEWOBJ or BUILD on anything that is not one of those constructs.
// Untrusted input is the normal case: lengths are checked before anything is allocated, nesting is
// bounded, every problem is a CheckpointError that names the file, and nothing runs longer than
// linear time in the input.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "engine/io/pickle_value.h"

namespace fovea::engine {

struct UnpickleOptions {
  // Receives the persistent id of PERSID/BINPERSID (a tuple for torch, a str for protocol 0) and returns
  // the value that takes its place; throws CheckpointError to reject it. Without a loader, a persistent
  // id is an error.
  std::function<PickleValue(const PickleValue& persistent_id)> persistent_load;
  // Integers wider than 64 bits become PickleValue::Kind::BigInt instead of an error (the legacy torch
  // format starts with an 80-bit magic number).
  bool allow_big_ints = false;
  int max_depth = 1000;         // nesting of containers and of MARKs
  size_t max_stack = 1u << 22;  // values on the unpickler's stack at once
};

struct Unpickled {
  PickleValue value;
  size_t consumed = 0;  // bytes up to and including STOP: the next pickle of a stream starts there
};

// Reads one pickle from the start of `bytes`. `name` is the file (and entry) for error messages.
Unpickled unpickle(std::span<const uint8_t> bytes, const std::string& name, const UnpickleOptions& options = {});

}  // namespace fovea::engine
