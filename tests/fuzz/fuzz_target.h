// What every fuzz target shares: the libFuzzer entry point, and the rule that malformed input may only
// end in fovea::engine::Error (a clear message). Anything else (a crash, a sanitizer report, another
// exception, an allocation out of proportion to the input) is a finding.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

#include "engine/errors.h"

// Each target defines this: parse `data` the way Fovea parses a file of that kind.
void fuzz_one_input(std::span<const uint8_t> data);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    fuzz_one_input({data, size});
  } catch (const fovea::engine::Error&) {
    // Refused with a message: what malformed input should get.
  }
  return 0;
}
