// Job states as people read them (status bar, progress panel).
#pragma once

#include <QString>

#include "engine/observer.h"

namespace fovea::ui {

QString jobStateText(engine::JobState state);

}  // namespace fovea::ui
