// Output conventions of fovea-cli: progress and messages on stderr; with --json, exactly one JSON
// object on stdout, printed last.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace fovea::cli {

void print_json(const nlohmann::json& object);
std::string format_duration(double seconds);
std::string format_count(int64_t value);  // 11689512 -> "11,689,512"

}  // namespace fovea::cli
