#include "ui/app_icon.h"

namespace fovea::ui {

QIcon applicationIcon() {
  QIcon builtIn;
  for (const int size : {16, 22, 24, 32, 48, 64, 128, 256, 512})
    builtIn.addFile(QStringLiteral(":/icons/fovea-%1.png").arg(size), QSize(size, size));
  return QIcon::fromTheme(QStringLiteral("fovea"), builtIn);
}

}  // namespace fovea::ui
