#include "models/ops/reference_mode.h"

namespace fovea::ops {
namespace {

thread_local bool use_reference = false;

}  // namespace

UseReferenceOps::UseReferenceOps() : previous_(use_reference) { use_reference = true; }
UseReferenceOps::~UseReferenceOps() { use_reference = previous_; }
bool reference_ops_enabled() { return use_reference; }

}  // namespace fovea::ops
