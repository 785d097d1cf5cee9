#include "ui/progress_panel.h"

#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QVBoxLayout>
#include <algorithm>
#include <climits>
#include <cmath>

#include "ui/job_state_text.h"

namespace fovea::ui {

namespace {

QString formatDuration(double seconds) {
  const auto total = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  const long long h = total / 3600, m = total / 60 % 60, s = total % 60;
  if (h > 0) return QStringLiteral("%1:%2:%3").arg(h).arg(m, 2, 10, QLatin1Char('0')).arg(s, 2, 10, QLatin1Char('0'));
  return QStringLiteral("%1:%2").arg(m).arg(s, 2, 10, QLatin1Char('0'));
}

int clampToInt(int64_t value) { return int(std::clamp<int64_t>(value, 0, INT_MAX)); }

}  // namespace

ProgressPanel::ProgressPanel(QWidget* parent)
    : QWidget(parent), bar_(new QProgressBar(this)), label_(new QLabel(this)) {
  bar_->setObjectName(QStringLiteral("trainProgressBar"));
  label_->setObjectName(QStringLiteral("trainProgressLabel"));
  label_->setWordWrap(true);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(bar_);
  layout->addWidget(label_);
  reset(0);
  label_->setText(tr("Not started"));
}

void ProgressPanel::reset(int epochs) {
  bar_->setRange(0, 1);
  bar_->setValue(0);
  label_->setText(epochs > 0 ? tr("Preparing the run (epochs: %1)…").arg(epochs) : QString());
}

void ProgressPanel::showProgress(const engine::Progress& p) {
  if (p.total_steps > 0) {
    bar_->setRange(0, clampToInt(p.total_steps));
    bar_->setValue(clampToInt(p.step));
  }
  const QString epoch = tr("Epoch %1/%2").arg(p.epoch).arg(p.epochs);
  if (p.phase == "evaluate") {
    label_->setText(tr("%1 · evaluating on the test set…").arg(epoch));
  } else if (p.phase == "checkpoint") {
    label_->setText(tr("%1 · saving a checkpoint…").arg(epoch));
  } else {
    const QString eta = p.eta_seconds < 0 ? tr("estimating") : formatDuration(p.eta_seconds);
    label_->setText(tr("%1 · step %2/%3 · %4 images/s · ETA %5")
                        .arg(epoch)
                        .arg(p.step_in_epoch)
                        .arg(p.steps_per_epoch)
                        .arg(QLocale().toString(p.images_per_second, 'f', 0), eta));
  }
}

void ProgressPanel::showFinished(const engine::TrainSummary& summary) {
  bar_->setValue(bar_->maximum());
  label_->setText(tr("Finished in %1 · epochs: %2 · test accuracy %3 % · %4 images/s")
                      .arg(formatDuration(summary.seconds))
                      .arg(summary.epochs_completed)
                      .arg(QLocale().toString(100 * summary.test_accuracy, 'f', 2),
                           QLocale().toString(summary.images_per_second, 'f', 0)));
}

void ProgressPanel::showEnded(engine::JobState state) { label_->setText(jobStateText(state)); }

int ProgressPanel::value() const { return bar_->value(); }

QString ProgressPanel::text() const { return label_->text(); }

}  // namespace fovea::ui
