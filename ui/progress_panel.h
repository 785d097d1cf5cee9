// How far a training run is: a progress bar over all steps and a line with the epoch, the throughput
// and the estimated time left.
#pragma once

#include <QWidget>

#include "engine/observer.h"

class QLabel;
class QProgressBar;

namespace fovea::ui {

class ProgressPanel final : public QWidget {
  Q_OBJECT

 public:
  explicit ProgressPanel(QWidget* parent = nullptr);

  void reset(int epochs);
  void showProgress(const engine::Progress& progress);
  void showFinished(const engine::TrainSummary& summary);
  void showEnded(engine::JobState state);  // stopped or failed

  int value() const;
  QString text() const;

 private:
  QProgressBar* bar_;
  QLabel* label_;
};

}  // namespace fovea::ui
