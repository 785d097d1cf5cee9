// How far an evaluation is (progress bar, images/s, time left) and, once it is done, its numbers:
// Acc@1 and Acc@5 in percent as timm prints them, the mean loss, the image count and the throughput.
#pragma once

#include <QWidget>

#include "engine/observer.h"

class QLabel;
class QProgressBar;

namespace fovea::ui {

class EvaluationSummaryPanel final : public QWidget {
  Q_OBJECT

 public:
  explicit EvaluationSummaryPanel(QWidget* parent = nullptr);

  void reset();           // no results, nothing running
  void showStarting();
  void showProgress(const engine::Progress& progress);
  void showSummary(const engine::EvaluationSummary& summary);
  void showEnded(engine::JobState state, const QString& message = {});  // cancelled or failed

  QString acc1Text() const;
  QString acc5Text() const;
  QString lossText() const;
  QString imagesText() const;
  QString progressText() const;
  int progressValue() const;
  int progressMaximum() const;

 private:
  QProgressBar* bar_;
  QLabel* progressLabel_;
  QLabel* acc1_;
  QLabel* acc5_;
  QLabel* loss_;
  QLabel* images_;
  QLabel* speed_;
};

// Seconds as m:ss or h:mm:ss.
QString formatSeconds(double seconds);

}  // namespace fovea::ui
