#include "ui/training_charts.h"

#include <QGridLayout>
#include <algorithm>
#include <cmath>

#include "ui/custom_plot.h"

namespace fovea::ui {

namespace {

constexpr int kReplotIntervalMs = 100;
constexpr double kLossSmoothing = 0.9;  // exponential moving average, as TensorBoard's slider
const QColor kLossColor(31, 119, 180);
const QColor kRawLossColor(31, 119, 180, 90);
const QColor kTrainColor(31, 119, 180);
const QColor kTestColor(255, 127, 14);
const QColor kLearningRateColor(44, 160, 44);

QCustomPlot* createPlot(QWidget* parent, const QString& title, const QString& xLabel, const QString& yLabel) {
  auto* plot = new QCustomPlot(parent);
  plot->setMinimumSize(220, 160);
  plot->plotLayout()->insertRow(0);
  auto* heading = new QCPTextElement(plot, title, QFont(plot->font().family(), plot->font().pointSize(), QFont::Bold));
  plot->plotLayout()->addElement(0, 0, heading);
  plot->xAxis->setLabel(xLabel);
  plot->yAxis->setLabel(yLabel);
  plot->setNoAntialiasingOnDrag(true);
  return plot;
}

QCPGraph* addLine(QCustomPlot* plot, const QString& name, const QColor& color, double width = 1.5) {
  QCPGraph* graph = plot->addGraph();
  graph->setName(name);
  graph->setPen(QPen(color, width));
  graph->setAdaptiveSampling(true);
  return graph;
}

// Fits both axes to the data with a little room above and below; a single point gets a unit key range.
void fitToData(QCustomPlot* plot, bool valuesFromZero) {
  plot->rescaleAxes();
  const QCPRange keys = plot->xAxis->range();
  if (keys.size() <= 0) plot->xAxis->setRange(keys.lower - 1, keys.upper + 1);
  const QCPRange values = plot->yAxis->range();
  const double pad = values.size() > 0 ? 0.05 * values.size() : std::max(0.1 * std::abs(values.upper), 1e-9);
  plot->yAxis->setRange(valuesFromZero ? 0.0 : values.lower - pad, values.upper + pad);
}

}  // namespace

TrainingCharts::TrainingCharts(QWidget* parent)
    : QWidget(parent),
      lossPlot_(createPlot(this, tr("Training loss"), tr("step"), tr("loss"))),
      accuracyPlot_(createPlot(this, tr("Accuracy"), tr("epoch"), tr("accuracy (%)"))),
      learningRatePlot_(createPlot(this, tr("Learning rate"), tr("step"), tr("learning rate"))),
      lossGraph_(addLine(lossPlot_, tr("per step"), kRawLossColor, 1.0)),
      smoothedLossGraph_(addLine(lossPlot_, tr("smoothed"), kLossColor, 2.0)),
      trainAccuracyGraph_(addLine(accuracyPlot_, tr("train"), kTrainColor, 2.0)),
      testAccuracyGraph_(addLine(accuracyPlot_, tr("test"), kTestColor, 2.0)),
      learningRateGraph_(addLine(learningRatePlot_, tr("learning rate"), kLearningRateColor, 2.0)) {
  lossPlot_->setObjectName(QStringLiteral("lossPlot"));
  accuracyPlot_->setObjectName(QStringLiteral("accuracyPlot"));
  learningRatePlot_->setObjectName(QStringLiteral("learningRatePlot"));

  lossPlot_->legend->setVisible(true);
  accuracyPlot_->legend->setVisible(true);
  for (QCPGraph* graph : {trainAccuracyGraph_, testAccuracyGraph_}) {
    graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, graph->pen().color(), Qt::white, 6));
  }
  accuracyPlot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
  auto epochTicker = QSharedPointer<QCPAxisTickerFixed>::create();
  epochTicker->setTickStep(1.0);
  epochTicker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
  accuracyPlot_->xAxis->setTicker(epochTicker);
  learningRatePlot_->yAxis->setNumberFormat(QStringLiteral("gb"));

  auto* layout = new QGridLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(lossPlot_, 0, 0, 1, 2);
  layout->addWidget(accuracyPlot_, 1, 0);
  layout->addWidget(learningRatePlot_, 1, 1);
  layout->setRowStretch(0, 3);
  layout->setRowStretch(1, 2);

  replotTimer_.setSingleShot(true);
  replotTimer_.setInterval(kReplotIntervalMs);
  connect(&replotTimer_, &QTimer::timeout, this, &TrainingCharts::replot);
  clear(0);
}

void TrainingCharts::clear(int epochs) {
  epochs_ = epochs;
  smoothedLoss_ = 0;
  for (QCPGraph* graph :
       {lossGraph_, smoothedLossGraph_, trainAccuracyGraph_, testAccuracyGraph_, learningRateGraph_}) {
    graph->data()->clear();
  }
  lossPlot_->xAxis->setRange(0, 1);
  lossPlot_->yAxis->setRange(0, 1);
  learningRatePlot_->xAxis->setRange(0, 1);
  learningRatePlot_->yAxis->setRange(0, 1);
  accuracyPlot_->xAxis->setRange(0.5, std::max(epochs, 1) + 0.5);
  accuracyPlot_->yAxis->setRange(0, 100);
  scheduleReplot();
}

void TrainingCharts::addStep(const engine::StepMetrics& step) {
  const auto key = double(step.step);
  smoothedLoss_ = lossGraph_->data()->isEmpty()
                      ? step.train_loss
                      : kLossSmoothing * smoothedLoss_ + (1 - kLossSmoothing) * step.train_loss;
  lossGraph_->addData(key, step.train_loss);
  smoothedLossGraph_->addData(key, smoothedLoss_);
  learningRateGraph_->addData(key, step.learning_rate);
  scheduleReplot();
}

void TrainingCharts::addEpoch(const engine::EpochMetrics& epoch) {
  trainAccuracyGraph_->addData(epoch.epoch, 100 * epoch.train_accuracy);
  testAccuracyGraph_->addData(epoch.epoch, 100 * epoch.test_accuracy);
  epochs_ = std::max(epochs_, epoch.epoch);
  scheduleReplot();
}

int TrainingCharts::lossPointCount() const { return lossGraph_->dataCount(); }

int TrainingCharts::learningRatePointCount() const { return learningRateGraph_->dataCount(); }

int TrainingCharts::accuracyPointCount() const { return testAccuracyGraph_->dataCount(); }

void TrainingCharts::scheduleReplot() {
  if (!replotTimer_.isActive()) replotTimer_.start();
}

void TrainingCharts::replot() {
  if (!lossGraph_->data()->isEmpty()) {
    fitToData(lossPlot_, false);
    fitToData(learningRatePlot_, true);
  }
  accuracyPlot_->xAxis->setRange(0.5, std::max(epochs_, 1) + 0.5);
  lossPlot_->replot(QCustomPlot::rpQueuedReplot);
  accuracyPlot_->replot(QCustomPlot::rpQueuedReplot);
  learningRatePlot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace fovea::ui
