#include "ui/evaluation_summary_panel.h"

#include <QFormLayout>
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

int clampToInt(int64_t value) { return int(std::clamp<int64_t>(value, 0, INT_MAX)); }

QLabel* valueLabel(const QString& name, QWidget* parent) {
  auto* label = new QLabel(parent);
  label->setObjectName(name);
  label->setTextInteractionFlags(Qt::TextSelectableByMouse);
  return label;
}

}  // namespace

QString formatSeconds(double seconds) {
  const auto total = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  const long long h = total / 3600, m = total / 60 % 60, s = total % 60;
  if (h > 0) return QStringLiteral("%1:%2:%3").arg(h).arg(m, 2, 10, QLatin1Char('0')).arg(s, 2, 10, QLatin1Char('0'));
  return QStringLiteral("%1:%2").arg(m).arg(s, 2, 10, QLatin1Char('0'));
}

EvaluationSummaryPanel::EvaluationSummaryPanel(QWidget* parent)
    : QWidget(parent),
      bar_(new QProgressBar(this)),
      progressLabel_(new QLabel(this)),
      acc1_(valueLabel(QStringLiteral("acc1Label"), this)),
      acc5_(valueLabel(QStringLiteral("acc5Label"), this)),
      loss_(valueLabel(QStringLiteral("lossLabel"), this)),
      images_(valueLabel(QStringLiteral("imagesLabel"), this)),
      speed_(valueLabel(QStringLiteral("imagesPerSecondLabel"), this)) {
  bar_->setObjectName(QStringLiteral("evalProgressBar"));
  progressLabel_->setObjectName(QStringLiteral("evalProgressLabel"));
  progressLabel_->setWordWrap(true);
  QFont big = acc1_->font();
  big.setPointSizeF(big.pointSizeF() * 1.4);
  big.setBold(true);
  acc1_->setFont(big);
  acc5_->setFont(big);
  acc1_->setToolTip(tr("Top-1 accuracy: the share of images whose most probable class is the true one"));
  acc5_->setToolTip(tr("Top-5 accuracy: the share of images whose true class is among the five most probable"));
  loss_->setToolTip(tr("Mean cross-entropy of the true classes"));
  speed_->setToolTip(tr("Throughput of the evaluation loop (without reading the checkpoint and building the model)"));

  auto* form = new QFormLayout;
  form->addRow(tr("Acc@1:"), acc1_);
  form->addRow(tr("Acc@5:"), acc5_);
  form->addRow(tr("Loss:"), loss_);
  form->addRow(tr("Images:"), images_);
  form->addRow(tr("Images/s:"), speed_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(bar_);
  layout->addWidget(progressLabel_);
  layout->addLayout(form);
  reset();
}

void EvaluationSummaryPanel::reset() {
  bar_->setRange(0, 1);
  bar_->setValue(0);
  progressLabel_->setText(tr("Not started"));
  for (QLabel* label : {acc1_, acc5_, loss_, images_, speed_}) label->setText(QStringLiteral("—"));
}

void EvaluationSummaryPanel::showStarting() {
  reset();
  bar_->setRange(0, 0);  // busy until the first progress report: reading and building the model
  progressLabel_->setText(tr("Reading the data set and the checkpoint…"));
}

void EvaluationSummaryPanel::showProgress(const engine::Progress& p) {
  if (p.total_steps > 0) {
    bar_->setRange(0, clampToInt(p.total_steps));
    bar_->setValue(clampToInt(p.step));
  }
  const QLocale locale;
  if (p.step == 0) {
    progressLabel_->setText(tr("Evaluating…"));
    return;
  }
  const QString eta = p.eta_seconds < 0 ? tr("estimating") : formatSeconds(p.eta_seconds);
  progressLabel_->setText(tr("Batch %1 of %2 · %3 images/s · ETA %4")
                              .arg(locale.toString(qlonglong(p.step)), locale.toString(qlonglong(p.total_steps)),
                                   locale.toString(p.images_per_second, 'f', 0), eta));
}

void EvaluationSummaryPanel::showSummary(const engine::EvaluationSummary& s) {
  const QLocale locale;
  bar_->setRange(0, 1);
  bar_->setValue(1);
  progressLabel_->setText(tr("Finished in %1 on %2 (%3 split)")
                              .arg(formatSeconds(s.seconds), QString::fromStdString(s.device), QString::fromStdString(s.split)));
  acc1_->setText(tr("%1 %").arg(locale.toString(100.0 * s.top1, 'f', 3)));
  acc5_->setText(tr("%1 %").arg(locale.toString(100.0 * s.top5, 'f', 3)));
  loss_->setText(locale.toString(s.loss, 'f', 4));
  images_->setText(locale.toString(qlonglong(s.images)));
  speed_->setText(locale.toString(s.images_per_second, 'f', 1));
}

void EvaluationSummaryPanel::showEnded(engine::JobState state, const QString& message) {
  if (bar_->maximum() == 0) bar_->setRange(0, 1);
  progressLabel_->setText(message.isEmpty() ? jobStateText(state) : tr("%1: %2").arg(jobStateText(state), message));
}

QString EvaluationSummaryPanel::acc1Text() const { return acc1_->text(); }
QString EvaluationSummaryPanel::acc5Text() const { return acc5_->text(); }
QString EvaluationSummaryPanel::lossText() const { return loss_->text(); }
QString EvaluationSummaryPanel::imagesText() const { return images_->text(); }
QString EvaluationSummaryPanel::progressText() const { return progressLabel_->text(); }
int EvaluationSummaryPanel::progressValue() const { return bar_->value(); }
int EvaluationSummaryPanel::progressMaximum() const { return bar_->maximum(); }

}  // namespace fovea::ui
