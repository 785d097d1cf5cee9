#include "engine/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <cstring>

namespace fovea::log {
namespace {

spdlog::logger& logger() {
  // stderr, so that stdout stays clean for the CLI's --json output.
  static const std::shared_ptr<spdlog::logger> instance = [] {
    auto l = spdlog::stderr_color_mt("fovea");
    l->set_pattern("%H:%M:%S.%e %^%l%$ %v");
    // FOVEA_LOG=debug shows the debug lines too (timings of phases, for profiling).
    const char* wanted = std::getenv("FOVEA_LOG");
    if (wanted && std::strcmp(wanted, "debug") == 0) l->set_level(spdlog::level::debug);
    return l;
  }();
  return *instance;
}

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::Debug: return spdlog::level::debug;
    case Level::Info: return spdlog::level::info;
    case Level::Warning: return spdlog::level::warn;
    case Level::Error: return spdlog::level::err;
  }
  return spdlog::level::info;
}

}  // namespace

void write(Level level, const std::string& message) { logger().log(to_spdlog(level), "{}", message); }

void set_level(Level minimum) { logger().set_level(to_spdlog(minimum)); }

const char* level_name(Level level) {
  switch (level) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warning: return "warning";
    case Level::Error: return "error";
  }
  return "info";
}

}  // namespace fovea::log
