// The run's log: engine messages with their time, warnings and failures in colour.
#pragma once

#include <QPlainTextEdit>

#include "engine/log.h"

namespace fovea::ui {

class LogView final : public QPlainTextEdit {
  Q_OBJECT

 public:
  explicit LogView(QWidget* parent = nullptr);

  void addMessage(log::Level level, const QString& message);
  void addFailure(const QString& message);
};

}  // namespace fovea::ui
