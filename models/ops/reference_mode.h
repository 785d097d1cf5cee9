// While a UseReferenceOps object is alive on a thread, the ops of this folder (selective scan, causal
// conv1d) compute with the plain LibTorch transcriptions of models/ssm_reference.h instead of Fovea's
// kernels: whole models can then be compared with their reference math (tests, parity checks).
#pragma once

namespace fovea::ops {

class UseReferenceOps {
 public:
  UseReferenceOps();
  ~UseReferenceOps();
  UseReferenceOps(const UseReferenceOps&) = delete;
  UseReferenceOps& operator=(const UseReferenceOps&) = delete;

 private:
  bool previous_;
};

bool reference_ops_enabled();

}  // namespace fovea::ops
