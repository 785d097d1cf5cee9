// The Evaluate page: a checkpoint and a data set in, an engine evaluation job run (progress, cancel),
// and its results out: Acc@1/Acc@5/loss, a sortable per-class table, a confusion matrix whose cells
// select their images in the prediction gallery, the most confident mistakes, CSV and JSON files. The
// page owns the job and its EngineBridge; the GUI thread never waits for the job, except when the page
// is destroyed (cancel, then wait).
#pragma once

#include <QList>
#include <QWidget>
#include <memory>
#include <optional>

#include "engine/job.h"
#include "engine/observer.h"
#include "ui/class_metrics_table.h"
#include "ui/classification.h"

class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QSplitter;
class QTabWidget;
class QTableView;

namespace fovea::ui {

class ConfusionHeatmap;
class EngineBridge;
class EvalSettingsForm;
class EvaluationSummaryPanel;
class LogView;
class PredictionBrowser;
class SaliencyDialog;

class EvaluatePage final : public QWidget {
  Q_OBJECT

 public:
  explicit EvaluatePage(QWidget* parent = nullptr);
  ~EvaluatePage() override;

  void startEvaluation();
  void cancelEvaluation();
  engine::JobState jobState() const { return state_; }
  bool isJobActive() const;  // started and its end not yet reported

  // The last finished evaluation.
  const std::optional<engine::EvaluationSummary>& summary() const { return summary_; }
  const QList<ClassMetrics>& classMetrics() const { return metricsModel_->metrics(); }

  // Save the results; empty on success, else the error (also shown in the log).
  QString saveCsv(const QString& path);
  QString saveJson(const QString& path);
  void chooseCsvFile();
  void chooseJsonFile();
  // The Grad-CAM window for the gallery's item in `row`, with the evaluated model and its prediction.
  void showSaliency(int row);

  EvalSettingsForm* settingsForm() const { return settingsForm_; }
  EvaluationSummaryPanel* summaryPanel() const { return summaryPanel_; }
  QPushButton* evaluateButton() const { return evaluateButton_; }
  QPushButton* cancelButton() const { return cancelButton_; }
  QPushButton* saveCsvButton() const { return saveCsvButton_; }
  QPushButton* saveJsonButton() const { return saveJsonButton_; }
  QTableView* metricsView() const { return metricsView_; }
  QSortFilterProxyModel* metricsProxy() const { return metricsProxy_; }
  ConfusionHeatmap* heatmap() const { return heatmap_; }
  PredictionBrowser* gallery() const { return gallery_; }
  LogView* logView() const { return logView_; }
  SaliencyDialog* saliencyDialog() const { return saliencyDialog_; }  // null until first asked for

 Q_SIGNALS:
  void jobStateChanged(fovea::engine::JobState state);

 private:
  QWidget* createSettingsColumn();
  QWidget* createResults();
  QWidget* createMetricsTable();
  void connectBridge();
  void onJobState(engine::JobState state);
  void onEvaluated(const engine::EvaluationSummary& summary);
  void onFailed(const QString& message);
  void onCellClicked(int trueClass, int predicted);
  void setJobState(engine::JobState state);
  void restoreLayout();
  void saveLayout() const;
  QString suggestedFileName(const QString& suffix) const;

  EvalSettingsForm* settingsForm_ = nullptr;
  QPushButton* evaluateButton_ = nullptr;
  QPushButton* cancelButton_ = nullptr;
  EvaluationSummaryPanel* summaryPanel_ = nullptr;
  QPushButton* saveCsvButton_ = nullptr;
  QPushButton* saveJsonButton_ = nullptr;
  ClassMetricsModel* metricsModel_ = nullptr;
  QSortFilterProxyModel* metricsProxy_ = nullptr;
  QTableView* metricsView_ = nullptr;
  QLineEdit* classSearch_ = nullptr;
  ConfusionHeatmap* heatmap_ = nullptr;
  PredictionBrowser* gallery_ = nullptr;
  LogView* logView_ = nullptr;
  QTabWidget* bottomTabs_ = nullptr;
  QSplitter* resultsSplitter_ = nullptr;
  QSplitter* topSplitter_ = nullptr;
  SaliencyDialog* saliencyDialog_ = nullptr;

  std::optional<engine::EvaluationSummary> summary_;
  QString failure_;
  QString evaluatedCheckpoint_;  // of the gallery's images, and what was built from it
  ModelRequest evaluatedModel_;
  engine::JobState state_ = engine::JobState::Idle;
  bool terminalSeen_ = false;
  // Declared in this order so that the job (which reports to the bridge) is destroyed first.
  std::unique_ptr<EngineBridge> bridge_;
  std::unique_ptr<engine::Job> job_;
};

}  // namespace fovea::ui
