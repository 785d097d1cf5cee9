// Start, Pause/Resume and Stop, enabled as the job's state allows.
#pragma once

#include <QWidget>

#include "engine/observer.h"

class QPushButton;

namespace fovea::ui {

class RunControls final : public QWidget {
  Q_OBJECT

 public:
  explicit RunControls(QWidget* parent = nullptr);

  // `canStart`: whether the settings allow a new run (only used while no job is active).
  void setState(engine::JobState state, bool canStart);
  // Whether the run that starts next can pause; when not, Pause stays off and `why` is its tooltip.
  void setPauseAvailable(bool available, const QString& why = QString());

  QPushButton* startButton() const { return startButton_; }
  QPushButton* pauseButton() const { return pauseButton_; }
  QPushButton* stopButton() const { return stopButton_; }

 Q_SIGNALS:
  void startRequested();
  void pauseRequested();
  void resumeRequested();
  void stopRequested();

 private:
  QPushButton* startButton_;
  QPushButton* pauseButton_;
  QPushButton* stopButton_;
  engine::JobState state_ = engine::JobState::Idle;
  bool canStart_ = false;
  bool pauseAvailable_ = true;
};

}  // namespace fovea::ui
