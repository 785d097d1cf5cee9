// Fovea's icon: the installed theme's "fovea" (so that a theme may restyle it), else the PNG sizes
// compiled into the program from packaging/icons.
#pragma once

#include <QIcon>

namespace fovea::ui {

QIcon applicationIcon();

}  // namespace fovea::ui
