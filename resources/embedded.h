// Text resources (class-name lists) compiled into the program, for layers without Qt's resource system.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fovea::resources {

// The content of a file under resources/, by its path relative to that folder
// (e.g. "class_names/cifar10.txt"); nullopt if there is none.
std::optional<std::string_view> text(std::string_view name);

// A class-name list (one name per line) by list name, e.g. "cifar10"; empty if unknown.
std::vector<std::string> class_names(std::string_view list);

}  // namespace fovea::resources
