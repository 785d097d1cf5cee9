// Where a data-parallel worker stands: its rank among the processes of a run, read from the environment
// that torchrun, SLURM's srun or Fovea's own launcher (local_launcher.h) set. Plain C++, no LibTorch.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace fovea::engine {

struct DistEnv {
  int rank = 0;              // RANK (SLURM_PROCID): this process among all of the run's
  int world_size = 1;        // WORLD_SIZE (SLURM_NTASKS)
  int local_rank = 0;        // LOCAL_RANK (SLURM_LOCALID): among this machine's; picks its GPU
  int local_world_size = 1;  // LOCAL_WORLD_SIZE, else world_size when unknown
  std::string master_addr;   // MASTER_ADDR: the host of the rendezvous store
  uint16_t master_port = 0;  // MASTER_PORT
  // TORCHELASTIC_USE_AGENT_STORE=True: torchrun's agent already serves the store, every rank is a client.
  bool agent_store = false;
  int restart_count = 0;     // TORCHELASTIC_RESTART_COUNT: keys of each attempt live apart
  std::string source;        // "torchrun/env" or "SLURM", for messages
  bool is_main() const { return rank == 0; }
};

// Looks a variable up; the default reads the process environment.
using EnvLookup = std::function<const char*(const char*)>;

// The run's distributed setting, or nullopt for a single process (no WORLD_SIZE, or WORLD_SIZE=1; under
// SLURM, SLURM_NTASKS stands in when RANK and WORLD_SIZE are absent). Throws ConfigError naming the
// variable and its value when the setting is incomplete or inconsistent (RANK >= WORLD_SIZE, a missing
// MASTER_ADDR, a port out of range, ...).
std::optional<DistEnv> read_dist_env(const EnvLookup& lookup = {});

// Collective and rendezvous time limit: FOVEA_DIST_TIMEOUT (seconds) or 30 minutes, PyTorch's default.
// A peer that never arrives ends the run with an error after this long instead of a hang.
std::chrono::milliseconds dist_timeout(const EnvLookup& lookup = {});

}  // namespace fovea::engine
