#include <cstdio>

#include "app/cli_commands.h"
#include "app/cli_output.h"
#include "engine/data/dataset_info.h"

namespace fovea::cli {

int run_info(const std::string& data_path, bool json) {
  const engine::DatasetInfo info = engine::probe_dataset(data_path);
  if (json) {
    print_json({{"path", info.root},
                {"format", info.format_name},
                {"classes", info.class_names},
                {"num_classes", info.class_names.size()},
                {"train_count", info.train_count},
                {"test_count", info.test_count},
                {"image", {{"height", info.height}, {"width", info.width}, {"channels", info.channels}}}});
    return 0;
  }
  std::printf("path:     %s\nformat:   %s\nimages:   %lldx%lldx%lld\ntrain:    %s\ntest:     %s\nclasses:  %zu\n",
              info.root.c_str(), info.format_name.c_str(), static_cast<long long>(info.height),
              static_cast<long long>(info.width), static_cast<long long>(info.channels),
              format_count(info.train_count).c_str(), format_count(info.test_count).c_str(), info.class_names.size());
  for (size_t i = 0; i < info.class_names.size(); ++i) std::printf("  %3zu  %s\n", i, info.class_names[i].c_str());
  return 0;
}

}  // namespace fovea::cli
