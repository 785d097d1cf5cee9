// Logging facade. Its implementation is the only place that sees spdlog, and it is compiled without
// LibTorch's include path: LibTorch 2.x ships its own fmt, which clashes with the system spdlog's.
#pragma once
#include <string>

namespace fovea::log {

enum class Level { Debug, Info, Warning, Error };

void write(Level level, const std::string& message);
void set_level(Level minimum);
const char* level_name(Level level);

inline void debug(const std::string& message) { write(Level::Debug, message); }
inline void info(const std::string& message) { write(Level::Info, message); }
inline void warn(const std::string& message) { write(Level::Warning, message); }
inline void error(const std::string& message) { write(Level::Error, message); }

}  // namespace fovea::log
