#include <cstdio>

#include "app/cli_commands.h"
#include "app/cli_output.h"
#include "engine/data/dataset_info.h"

namespace fovea::cli {
namespace {

void print_list(const std::vector<std::string>& names) {
  for (size_t i = 0; i < names.size(); ++i) std::printf("  %3zu  %s\n", i, names[i].c_str());
}

}  // namespace

int run_info(const std::string& data_path, bool json) {
  const engine::DatasetInfo info = engine::probe_dataset(data_path);
  const bool sized = info.height > 0;  // folders of encoded images have no one size before decoding
  if (json) {
    const nlohmann::json image = sized ? nlohmann::json{{"height", info.height}, {"width", info.width}, {"channels", info.channels}}
                                       : nlohmann::json{{"height", nullptr}, {"width", nullptr}, {"channels", nullptr}};
    print_json({{"path", info.root},
                {"format", info.format_name},
                {"split_layout", info.split_layout},
                {"classes", info.class_names},
                {"num_classes", info.class_names.size()},
                {"coarse_classes", info.coarse_class_names},
                {"num_coarse_classes", info.coarse_class_names.size()},
                {"train_count", info.train_count},
                {"test_count", info.test_count},
                {"image", image},
                {"notes", info.notes}});
    return 0;
  }
  std::printf("path:     %s\nformat:   %s\n", info.root.c_str(), info.format_name.c_str());
  if (sized) {
    std::printf("images:   %lldx%lldx%lld\n", static_cast<long long>(info.height), static_cast<long long>(info.width),
                static_cast<long long>(info.channels));
  } else {
    std::printf("images:   encoded files, sizes known once decoded\n");
  }
  std::printf("splits:   %s\ntrain:    %s\ntest:     %s\n", info.split_layout.c_str(),
              format_count(info.train_count).c_str(), format_count(info.test_count).c_str());
  for (const std::string& note : info.notes) std::printf("note:     %s\n", note.c_str());
  std::printf("classes:  %zu\n", info.class_names.size());
  print_list(info.class_names);
  if (!info.coarse_class_names.empty()) {
    std::printf("coarse classes:  %zu\n", info.coarse_class_names.size());
    print_list(info.coarse_class_names);
  }
  return 0;
}

}  // namespace fovea::cli
