// An evaluation's per-image results as a CSV file, one row per image: where it came from, its label,
// whether the best class was right, its loss, and the five best classes with their probabilities.
// Written atomically (engine/io/atomic_file.h).
#pragma once
#include <string>

#include "engine/observer.h"

namespace fovea::engine {

// Throws ConfigError when the summary holds no per-image results, Error naming `path` when it cannot be
// written.
void write_results_csv(const std::string& path, const EvaluationSummary& summary);

// RFC 4180 quoting: fields with commas, quotes or line breaks are quoted, quotes doubled.
std::string csv_field(const std::string& text);

}  // namespace fovea::engine
