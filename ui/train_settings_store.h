// The training choices remembered between sessions (QSettings, group "train").
#pragma once

#include "engine/train_config.h"

namespace fovea::ui {

// The last saved choices; engine defaults for what was never saved, the system's Fashion-MNIST (if
// installed) as the data set, and the optimizer's default learning rate.
engine::TrainConfig loadTrainSettings();
void saveTrainSettings(const engine::TrainConfig& config);

}  // namespace fovea::ui
