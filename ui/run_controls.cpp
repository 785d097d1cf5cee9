#include "ui/run_controls.h"

#include <QHBoxLayout>
#include <QPushButton>

namespace fovea::ui {

RunControls::RunControls(QWidget* parent)
    : QWidget(parent),
      startButton_(new QPushButton(tr("Start"), this)),
      pauseButton_(new QPushButton(tr("Pause"), this)),
      stopButton_(new QPushButton(tr("Stop"), this)) {
  startButton_->setObjectName(QStringLiteral("startButton"));
  pauseButton_->setObjectName(QStringLiteral("pauseButton"));
  stopButton_->setObjectName(QStringLiteral("stopButton"));
  startButton_->setDefault(true);
  startButton_->setToolTip(tr("Start training with these settings"));
  stopButton_->setToolTip(tr("Stop training; the checkpoints written so far stay"));

  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(startButton_);
  layout->addWidget(pauseButton_);
  layout->addWidget(stopButton_);

  connect(startButton_, &QPushButton::clicked, this, &RunControls::startRequested);
  connect(pauseButton_, &QPushButton::clicked, this, [this] {
    if (state_ == engine::JobState::Paused) {
      Q_EMIT resumeRequested();
    } else {
      Q_EMIT pauseRequested();
    }
  });
  connect(stopButton_, &QPushButton::clicked, this, &RunControls::stopRequested);
  setPauseAvailable(true);
  setState(engine::JobState::Idle, false);
}

void RunControls::setPauseAvailable(bool available, const QString& why) {
  pauseAvailable_ = available;
  pauseButton_->setToolTip(available ? tr("Pause training after the current step, or resume it") : why);
  setState(state_, canStart_);
}

void RunControls::setState(engine::JobState state, bool canStart) {
  using engine::JobState;
  state_ = state;
  canStart_ = canStart;
  const bool active = state == JobState::Running || state == JobState::Paused;
  startButton_->setEnabled(!active && state != JobState::Cancelling && canStart);
  pauseButton_->setEnabled(active && (pauseAvailable_ || state == JobState::Paused));
  pauseButton_->setText(state == JobState::Paused ? tr("Resume") : tr("Pause"));
  stopButton_->setEnabled(active);
}

}  // namespace fovea::ui
