// The restricted unpickler on its own: every opcode, memo and stack rule, globals refused.
#include "engine/io/pickle.h"
#include "fuzz_target.h"

void fuzz_one_input(std::span<const uint8_t> data) { (void)fovea::engine::unpickle(data, "fuzz.pkl"); }
