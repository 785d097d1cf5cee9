#include "ui/training_charts.h"

#include <QGridLayout>
#include <algorithm>
#include <cmath>

#include "ui/custom_plot.h"
#include "ui/plot_style.h"
#include "ui/theme.h"

namespace fovea::ui {

namespace {

constexpr int kReplotIntervalMs = 100;
constexpr double kLossSmoothing = 0.9;  // exponential moving average, as TensorBoard's slider
// Indices into the palette's series colours (ui/theme.h).
constexpr int kBlue = 0;
constexpr int kOrange = 1;
constexpr int kGreen = 2;
constexpr float kRawLossAlpha = 0.35f;

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

QCPGraph* addLine(QCustomPlot* plot, const QString& name) {
  QCPGraph* graph = plot->addGraph();
  graph->setName(name);
  graph->setAdaptiveSampling(true);
  return graph;
}

void setLineColour(QCPGraph* graph, QColor colour, double width, float alpha = 1.0f) {
  colour.setAlphaF(alpha);
  graph->setPen(QPen(colour, width));
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
      lossGraph_(addLine(lossPlot_, tr("per step"))),
      smoothedLossGraph_(addLine(lossPlot_, tr("smoothed"))),
      trainAccuracyGraph_(addLine(accuracyPlot_, tr("train"))),
      testAccuracyGraph_(addLine(accuracyPlot_, tr("test"))),
      learningRateGraph_(addLine(learningRatePlot_, tr("learning rate"))) {
  lossPlot_->setObjectName(QStringLiteral("lossPlot"));
  accuracyPlot_->setObjectName(QStringLiteral("accuracyPlot"));
  learningRatePlot_->setObjectName(QStringLiteral("learningRatePlot"));

  lossPlot_->legend->setVisible(true);
  accuracyPlot_->legend->setVisible(true);
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
  applyColours();
  clear(0);
}

// Lines, markers, axes and backgrounds from the palette, so that a switch of the system theme
// (light to dark) restyles the plots.
void TrainingCharts::applyColours() {
  const QPalette& colours = palette();
  setLineColour(lossGraph_, seriesColor(colours, kBlue), 1.0, kRawLossAlpha);
  setLineColour(smoothedLossGraph_, seriesColor(colours, kBlue), 2.0);
  setLineColour(trainAccuracyGraph_, seriesColor(colours, kBlue), 2.0);
  setLineColour(testAccuracyGraph_, seriesColor(colours, kOrange), 2.0);
  setLineColour(learningRateGraph_, seriesColor(colours, kGreen), 2.0);
  for (QCPGraph* graph : {trainAccuracyGraph_, testAccuracyGraph_}) {
    graph->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, graph->pen().color(), colours.color(QPalette::Base), 6));
  }
  for (QCustomPlot* plot : {lossPlot_, accuracyPlot_, learningRatePlot_}) applyPalette(plot, colours);
}

void TrainingCharts::changeEvent(QEvent* event) {
  QWidget::changeEvent(event);
  if (event->type() == QEvent::PaletteChange) {
    applyColours();
    scheduleReplot();
  }
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
