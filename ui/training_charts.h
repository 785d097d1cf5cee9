// Live training curves: loss and learning rate per step, train and test accuracy per epoch.
// Data arrive at any rate; the plots are redrawn at most ten times a second.
#pragma once

#include <QTimer>
#include <QWidget>

#include "engine/observer.h"

class QCPGraph;
class QCustomPlot;

namespace fovea::ui {

class TrainingCharts final : public QWidget {
  Q_OBJECT

 public:
  explicit TrainingCharts(QWidget* parent = nullptr);

  void clear(int epochs);
  void addStep(const engine::StepMetrics& step);
  void addEpoch(const engine::EpochMetrics& epoch);

  int lossPointCount() const;
  int learningRatePointCount() const;
  int accuracyPointCount() const;  // epochs plotted

 protected:
  void changeEvent(QEvent* event) override;

 private:
  void applyColours();
  void scheduleReplot();
  void replot();

  QCustomPlot* lossPlot_;
  QCustomPlot* accuracyPlot_;
  QCustomPlot* learningRatePlot_;
  QCPGraph* lossGraph_;
  QCPGraph* smoothedLossGraph_;
  QCPGraph* trainAccuracyGraph_;
  QCPGraph* testAccuracyGraph_;
  QCPGraph* learningRateGraph_;
  QTimer replotTimer_;
  double smoothedLoss_ = 0;
  int epochs_ = 0;
};

}  // namespace fovea::ui
