#include "engine/distributed/dist_env.h"

#include <cerrno>
#include <cstdlib>
#include <limits>

#include "engine/errors.h"

namespace fovea::engine {
namespace {

const char* lookup_in(const EnvLookup& lookup, const char* name) {
  const char* value = lookup ? lookup(name) : std::getenv(name);
  return value && *value ? value : nullptr;
}

// A whole decimal number within [low, high]; the message names the variable and its text.
long long parse_number(const char* name, const char* text, long long low, long long high) {
  errno = 0;
  char* end = nullptr;
  const long long value = std::strtoll(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < low || value > high)
    throw ConfigError(std::string(name) + "='" + text + "' is not a whole number from " + std::to_string(low) +
                      " to " + std::to_string(high));
  return value;
}

constexpr long long kMaxProcesses = 1 << 20;

}  // namespace

std::optional<DistEnv> read_dist_env(const EnvLookup& lookup) {
  const auto get = [&](const char* name) { return lookup_in(lookup, name); };
  // torchrun (and Fovea's launcher) set RANK and WORLD_SIZE; srun sets SLURM_PROCID and SLURM_NTASKS.
  const bool torchrun = get("WORLD_SIZE") || get("RANK");
  const bool slurm = !torchrun && get("SLURM_NTASKS") && get("SLURM_PROCID");
  if (!torchrun && !slurm) return std::nullopt;
  const char* const rank_name = torchrun ? "RANK" : "SLURM_PROCID";
  const char* const size_name = torchrun ? "WORLD_SIZE" : "SLURM_NTASKS";
  const char* const local_name = torchrun ? "LOCAL_RANK" : "SLURM_LOCALID";

  const char* size_text = get(size_name);
  if (!size_text) throw ConfigError(std::string(rank_name) + " is set but " + size_name + " is not");
  DistEnv env;
  env.source = torchrun ? "torchrun/env" : "SLURM";
  env.world_size = static_cast<int>(parse_number(size_name, size_text, 1, kMaxProcesses));
  if (env.world_size == 1) return std::nullopt;  // one process: nothing to rendezvous with
  const char* rank_text = get(rank_name);
  if (!rank_text)
    throw ConfigError(std::string(size_name) + "=" + size_text + " is set but " + rank_name +
                      " is not: every process needs its rank");
  env.rank = static_cast<int>(parse_number(rank_name, rank_text, 0, kMaxProcesses));
  if (env.rank >= env.world_size)
    throw ConfigError(std::string(rank_name) + "=" + rank_text + " is not below " + size_name + "=" + size_text +
                      " (ranks count from 0)");
  const char* local_text = get(local_name);
  env.local_rank = local_text ? static_cast<int>(parse_number(local_name, local_text, 0, kMaxProcesses)) : 0;
  if (env.local_rank > env.rank)
    throw ConfigError(std::string(local_name) + "=" + local_text + " is larger than " + rank_name + "=" + rank_text);
  const char* local_size_text = torchrun ? get("LOCAL_WORLD_SIZE") : nullptr;
  env.local_world_size = env.world_size;
  if (local_size_text) {
    env.local_world_size = static_cast<int>(parse_number("LOCAL_WORLD_SIZE", local_size_text, 1, env.world_size));
    if (env.local_rank >= env.local_world_size)
      throw ConfigError(std::string("LOCAL_RANK=") + (local_text ? local_text : "0") + " is not below LOCAL_WORLD_SIZE=" +
                        local_size_text);
  }

  const char* addr = get("MASTER_ADDR");
  if (!addr)
    throw ConfigError(std::string(size_name) + "=" + size_text + " asks for " + std::to_string(env.world_size) +
                      " processes but MASTER_ADDR is not set (the host of rank 0, e.g. the first node's name)");
  env.master_addr = addr;
  const char* port = get("MASTER_PORT");
  if (!port) throw ConfigError("MASTER_ADDR=" + env.master_addr + " is set but MASTER_PORT is not (e.g. 29500)");
  env.master_port = static_cast<uint16_t>(parse_number("MASTER_PORT", port, 1, std::numeric_limits<uint16_t>::max()));

  if (const char* agent = get("TORCHELASTIC_USE_AGENT_STORE")) {
    const std::string text = agent;
    if (text == "True" || text == "true" || text == "1") env.agent_store = true;
    else if (text != "False" && text != "false" && text != "0")
      throw ConfigError("TORCHELASTIC_USE_AGENT_STORE='" + text + "' is neither True nor False");
  }
  if (const char* restarts = get("TORCHELASTIC_RESTART_COUNT"))
    env.restart_count = static_cast<int>(parse_number("TORCHELASTIC_RESTART_COUNT", restarts, 0, 1 << 30));
  return env;
}

std::chrono::milliseconds dist_timeout(const EnvLookup& lookup) {
  const char* text = lookup_in(lookup, "FOVEA_DIST_TIMEOUT");
  if (!text) return std::chrono::minutes(30);
  return std::chrono::seconds(parse_number("FOVEA_DIST_TIMEOUT", text, 1, 7 * 24 * 3600));
}

}  // namespace fovea::engine
