// Errors the engine reports to users: the message names the file or value at fault.
#pragma once
#include <stdexcept>

namespace fovea::engine {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct DatasetError : Error {
  using Error::Error;
};

struct CheckpointError : Error {
  using Error::Error;
};

struct ConfigError : Error {
  using Error::Error;
};

// Thrown inside a job when it is cancelled; the job runner reports it as "cancelled", not "failed".
struct JobCancelled {};

}  // namespace fovea::engine
