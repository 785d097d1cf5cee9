// Internal to the unpickler: the allow-list of globals and what REDUCE, NEWOBJ and BUILD make of them.
// Nothing here runs code: each allowed global is a recipe that turns its arguments into data (a dict,
// a TensorRef, an NdArray, ...), with the arguments checked the way the real function would need them.
// Anything else a pickle names could run code when Python loads it, so it is refused outright.
#pragma once
#include <cstddef>
#include <optional>
#include <string_view>

#include "engine/io/pickle_value.h"

namespace fovea::engine::pickle_globals {

// The allowed global that a pickle names by `module` and `name`, with Python 2 module names
// (__builtin__, copy_reg) mapped to Python 3 ones; nullopt if it is not allowed.
std::optional<PickleGlobal> find(std::string_view module, std::string_view name);

struct Context {
  int max_depth = 1000;
  // Bytes and items that calls may still create by copying what a pickle references (set(list),
  // _codecs.encode(str)); a pickle that references one big value many times cannot explode in memory.
  size_t budget = 0;
  void spend(size_t amount);
};

// Each throws PickleProblem when the global cannot be used this way or its arguments are wrong.
PickleValue call(const PickleGlobal& callable, const PickleValue& args, Context& context);  // REDUCE
PickleValue instantiate(const PickleGlobal& cls, const PickleValue& args, const PickleValue* kwargs,
                        Context& context);                                                    // NEWOBJ(_EX)
void build(PickleValue& object, const PickleValue& state, Context& context);                 // BUILD

}  // namespace fovea::engine::pickle_globals
