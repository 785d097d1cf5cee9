#include "ui/evaluate_page.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include "engine/eval_job.h"
#include "ui/confusion_heatmap.h"
#include "ui/engine_bridge.h"
#include "ui/eval_settings_form.h"
#include "ui/evaluation_results_writer.h"
#include "ui/evaluation_summary_panel.h"
#include "ui/log_view.h"
#include "ui/prediction_browser.h"
#include "ui/prediction_list_model.h"
#include "ui/saliency_dialog.h"
#include "ui/sample_image.h"

namespace fovea::ui {

namespace {

constexpr int kSettingsColumnWidth = 360;
const QString kResultsSplitterKey = QStringLiteral("evaluatePage/resultsSplitter");
const QString kTopSplitterKey = QStringLiteral("evaluatePage/topSplitter");
const QString kResultsFolderKey = QStringLiteral("evaluatePage/resultsFolder");

bool isBusy(engine::JobState state) {
  return state == engine::JobState::Running || state == engine::JobState::Paused || state == engine::JobState::Cancelling;
}

}  // namespace

EvaluatePage::EvaluatePage(QWidget* parent) : QWidget(parent) {
  auto* layout = new QHBoxLayout(this);
  layout->addWidget(createSettingsColumn());
  layout->addWidget(createResults(), 1);

  connect(settingsForm_, &EvalSettingsForm::readyChanged, this, [this] { setJobState(state_); });
  connect(evaluateButton_, &QPushButton::clicked, this, &EvaluatePage::startEvaluation);
  connect(cancelButton_, &QPushButton::clicked, this, &EvaluatePage::cancelEvaluation);
  connect(saveCsvButton_, &QPushButton::clicked, this, &EvaluatePage::chooseCsvFile);
  connect(saveJsonButton_, &QPushButton::clicked, this, &EvaluatePage::chooseJsonFile);
  connect(heatmap_, &ConfusionHeatmap::cellClicked, this, &EvaluatePage::onCellClicked);
  connect(gallery_, &PredictionBrowser::pairCleared, heatmap_, &ConfusionHeatmap::clearSelection);
  connect(gallery_, &PredictionBrowser::saliencyRequested, this, &EvaluatePage::showSaliency);

  settingsForm_->restoreSettings();
  restoreLayout();
  setJobState(engine::JobState::Idle);
}

EvaluatePage::~EvaluatePage() {
  settingsForm_->saveSettings();
  saveLayout();
  if (job_) {
    job_->cancel();
    job_->wait();
  }
}

QWidget* EvaluatePage::createSettingsColumn() {
  auto* column = new QWidget;
  settingsForm_ = new EvalSettingsForm(column);
  evaluateButton_ = new QPushButton(tr("Evaluate"), column);
  evaluateButton_->setObjectName(QStringLiteral("evaluateButton"));
  evaluateButton_->setDefault(true);
  cancelButton_ = new QPushButton(tr("Cancel"), column);
  cancelButton_->setObjectName(QStringLiteral("cancelEvaluationButton"));
  cancelButton_->setToolTip(tr("Stop the evaluation; nothing is reported for a partial run"));

  auto* resultsBox = new QGroupBox(tr("Results"), column);
  summaryPanel_ = new EvaluationSummaryPanel(resultsBox);
  saveCsvButton_ = new QPushButton(tr("Save as CSV…"), resultsBox);
  saveCsvButton_->setObjectName(QStringLiteral("saveCsvButton"));
  saveCsvButton_->setToolTip(tr("The per-class table: accuracy, precision, F1 and images of each class"));
  saveJsonButton_ = new QPushButton(tr("Save as JSON…"), resultsBox);
  saveJsonButton_->setObjectName(QStringLiteral("saveJsonButton"));
  saveJsonButton_->setToolTip(tr("Everything: checkpoint, model, data, Acc@1, Acc@5, loss, throughput and the per-class metrics"));
  auto* saveRow = new QHBoxLayout;
  saveRow->addWidget(saveCsvButton_);
  saveRow->addWidget(saveJsonButton_);
  auto* resultsLayout = new QVBoxLayout(resultsBox);
  resultsLayout->addWidget(summaryPanel_);
  resultsLayout->addLayout(saveRow);

  auto* buttons = new QHBoxLayout;
  buttons->addWidget(evaluateButton_);
  buttons->addWidget(cancelButton_);
  auto* layout = new QVBoxLayout(column);
  layout->setContentsMargins(0, 0, 6, 0);
  layout->addWidget(settingsForm_);
  layout->addLayout(buttons);
  layout->addWidget(resultsBox);
  layout->addStretch(1);

  auto* scroll = new QScrollArea(this);
  scroll->setWidget(column);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setFixedWidth(kSettingsColumnWidth);
  return scroll;
}

QWidget* EvaluatePage::createMetricsTable() {
  auto* box = new QGroupBox(tr("Per class"));
  metricsModel_ = new ClassMetricsModel(box);
  metricsProxy_ = new QSortFilterProxyModel(box);
  metricsProxy_->setSourceModel(metricsModel_);
  metricsProxy_->setSortRole(ClassMetricsModel::kSortRole);
  metricsProxy_->setFilterKeyColumn(ClassMetricsModel::ClassColumn);
  metricsProxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
  classSearch_ = new QLineEdit(box);
  classSearch_->setObjectName(QStringLiteral("classSearchEdit"));
  classSearch_->setPlaceholderText(tr("Find classes…"));
  classSearch_->setClearButtonEnabled(true);
  classSearch_->setToolTip(tr("Show only the classes whose name contains this text"));
  metricsView_ = new QTableView(box);
  metricsView_->setObjectName(QStringLiteral("classMetricsView"));
  metricsView_->setModel(metricsProxy_);
  metricsView_->setSortingEnabled(true);
  metricsView_->sortByColumn(ClassMetricsModel::RecallColumn, Qt::AscendingOrder);  // the weakest classes first
  metricsView_->setSelectionBehavior(QAbstractItemView::SelectRows);
  metricsView_->setSelectionMode(QAbstractItemView::SingleSelection);
  metricsView_->setAlternatingRowColors(true);
  metricsView_->verticalHeader()->hide();
  metricsView_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
  metricsView_->horizontalHeader()->setSectionResizeMode(ClassMetricsModel::ClassColumn, QHeaderView::Stretch);
  for (int c = ClassMetricsModel::RecallColumn; c < ClassMetricsModel::ColumnCount; ++c)
    metricsView_->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
  connect(classSearch_, &QLineEdit::textChanged, metricsProxy_, &QSortFilterProxyModel::setFilterFixedString);
  // A row picks its class in the gallery.
  connect(metricsView_, &QTableView::clicked, this, [this](const QModelIndex& index) {
    const int cls = index.data(ClassMetricsModel::kClassIndexRole).toInt();
    QComboBox* filter = gallery_->classFilter();
    if (const int item = filter->findData(cls); item >= 0) filter->setCurrentIndex(item);
  });

  auto* layout = new QVBoxLayout(box);
  layout->addWidget(classSearch_);
  layout->addWidget(metricsView_, 1);
  return box;
}

QWidget* EvaluatePage::createResults() {
  auto* matrixBox = new QGroupBox(tr("Confusion matrix"));
  heatmap_ = new ConfusionHeatmap(matrixBox);
  heatmap_->setObjectName(QStringLiteral("confusionHeatmap"));
  (new QVBoxLayout(matrixBox))->addWidget(heatmap_);

  topSplitter_ = new QSplitter(Qt::Horizontal);
  topSplitter_->addWidget(createMetricsTable());
  topSplitter_->addWidget(matrixBox);
  topSplitter_->setSizes({450, 450});
  topSplitter_->setChildrenCollapsible(false);

  gallery_ = new PredictionBrowser;
  logView_ = new LogView;
  bottomTabs_ = new QTabWidget;
  bottomTabs_->setDocumentMode(true);
  bottomTabs_->addTab(gallery_, tr("Predictions"));
  bottomTabs_->addTab(logView_, tr("Log"));

  resultsSplitter_ = new QSplitter(Qt::Vertical, this);
  resultsSplitter_->addWidget(topSplitter_);
  resultsSplitter_->addWidget(bottomTabs_);
  resultsSplitter_->setSizes({420, 380});
  resultsSplitter_->setChildrenCollapsible(false);
  return resultsSplitter_;
}

bool EvaluatePage::isJobActive() const { return job_ && !terminalSeen_; }

void EvaluatePage::startEvaluation() {
  if (isJobActive() || !settingsForm_->isReady()) return;
  const engine::EvalConfig config = settingsForm_->config();
  settingsForm_->saveSettings();

  job_.reset();  // the previous job has ended: its thread is joined at once
  bridge_ = std::make_unique<EngineBridge>();
  connectBridge();
  summary_.reset();
  failure_.clear();
  evaluatedCheckpoint_ = QString::fromStdString(config.checkpoint);
  evaluatedModel_ = {QString::fromStdString(config.model), 0, 3, 0, config.cifar_stem};
  metricsModel_->setMetrics({});
  heatmap_->clear();
  gallery_->clear();
  summaryPanel_->showStarting();
  logView_->addMessage(log::Level::Info, tr("Evaluating %1 on %2")
                                             .arg(QString::fromStdString(config.checkpoint),
                                                  QString::fromStdString(config.data_path)));

  job_ = engine::make_eval_job(config, *bridge_);
  terminalSeen_ = false;
  setJobState(engine::JobState::Running);
  job_->start();
}

void EvaluatePage::cancelEvaluation() {
  if (!isJobActive()) return;
  logView_->addMessage(log::Level::Info, tr("Cancelling…"));
  job_->cancel();
}

void EvaluatePage::connectBridge() {
  EngineBridge* bridge = bridge_.get();
  connect(bridge, &EngineBridge::stateChanged, this, &EvaluatePage::onJobState);
  connect(bridge, &EngineBridge::progressed, summaryPanel_, &EvaluationSummaryPanel::showProgress);
  connect(bridge, &EngineBridge::predictionsReported, gallery_, &PredictionBrowser::setSamples);
  connect(bridge, &EngineBridge::logged, logView_, &LogView::addMessage);
  connect(bridge, &EngineBridge::evaluated, this, &EvaluatePage::onEvaluated);
  connect(bridge, &EngineBridge::failed, this, &EvaluatePage::onFailed);
}

void EvaluatePage::onJobState(engine::JobState state) {
  // The bridge drops states that follow the job's end, so a terminal state here is the last one.
  if (engine::is_terminal(state)) terminalSeen_ = true;
  if (state == engine::JobState::Cancelled || state == engine::JobState::Failed)
    summaryPanel_->showEnded(state, state == engine::JobState::Failed ? failure_ : QString());
  setJobState(state);
}

void EvaluatePage::onEvaluated(const engine::EvaluationSummary& summary) {
  summary_ = summary;
  summaryPanel_->showSummary(summary);
  metricsModel_->setMetrics(fovea::ui::classMetrics(summary.confusion, summary.num_classes, summary.class_names));
  heatmap_->setMatrix(summary.confusion, summary.num_classes, summary.class_names);
  for (const std::string& note : summary.notes) logView_->addMessage(log::Level::Info, QString::fromStdString(note));
}

void EvaluatePage::onFailed(const QString& message) {
  failure_ = message;
  logView_->addFailure(message);
  bottomTabs_->setCurrentWidget(logView_);
}

void EvaluatePage::onCellClicked(int trueClass, int predicted) {
  gallery_->showPair(trueClass, predicted);
  bottomTabs_->setCurrentWidget(gallery_);
}

void EvaluatePage::setJobState(engine::JobState state) {
  state_ = state;
  const bool busy = isBusy(state);
  settingsForm_->setEnabled(!busy);
  evaluateButton_->setEnabled(!busy && settingsForm_->isReady());
  evaluateButton_->setToolTip(settingsForm_->isReady() ? tr("Evaluate the checkpoint on the data set")
                                                       : settingsForm_->notReadyReason());
  cancelButton_->setEnabled(state == engine::JobState::Running || state == engine::JobState::Paused);
  saveCsvButton_->setEnabled(!busy && summary_.has_value());
  saveJsonButton_->setEnabled(!busy && summary_.has_value());
  Q_EMIT jobStateChanged(state);
}

void EvaluatePage::showSaliency(int row) {
  const PredictionListModel* items = gallery_->model();
  if (row < 0 || row >= items->rowCount()) return;
  const engine::SamplePrediction& sample = items->sampleAt(row);
  // What the job built: the data set's classes, and its images' channels and size (the crop of a folder
  // data set is the model's default size, an in-memory one its own).
  ModelRequest request = evaluatedModel_;
  request.classes = int(items->samples().class_names.size());
  request.channels = sample.image.channels;
  request.imageSize = sample.image.height;
  if (!saliencyDialog_) saliencyDialog_ = new SaliencyDialog(this);
  saliencyDialog_->setModel(evaluatedCheckpoint_, request);
  const QLocale locale;
  const int predicted = predictedClass(sample);
  saliencyDialog_->explain(toQImage(sample.image), predicted, items->className(predicted),
                           tr("Image %1 · true class %2 · predicted %3 (%4 %)")
                               .arg(sample.index)
                               .arg(items->className(sample.label), items->className(predicted),
                                    locale.toString(100.0 * confidence(sample), 'f', 1)));
}

QString EvaluatePage::saveCsv(const QString& path) {
  const QString error = summary_ ? writeClassMetricsCsv(path, classMetrics()) : tr("no evaluation to save");
  if (error.isEmpty()) {
    logView_->addMessage(log::Level::Info, tr("Per-class results saved to %1").arg(path));
  } else {
    logView_->addFailure(tr("Could not save %1").arg(error));
  }
  return error;
}

QString EvaluatePage::saveJson(const QString& path) {
  const QString error = summary_ ? writeEvaluationJson(path, *summary_, classMetrics()) : tr("no evaluation to save");
  if (error.isEmpty()) {
    logView_->addMessage(log::Level::Info, tr("Results saved to %1").arg(path));
  } else {
    logView_->addFailure(tr("Could not save %1").arg(error));
  }
  return error;
}

// <checkpoint name>-<data set folder name>.<suffix>, in the folder results were last saved to.
QString EvaluatePage::suggestedFileName(const QString& suffix) const {
  const QString folder = QSettings().value(kResultsFolderKey, QDir::homePath()).toString();
  QString name = QStringLiteral("evaluation");
  if (summary_) {
    name = QFileInfo(QString::fromStdString(summary_->checkpoint)).completeBaseName() + QLatin1Char('-') +
           QFileInfo(QString::fromStdString(summary_->data)).fileName();
  }
  return QDir(folder).filePath(name + QLatin1Char('.') + suffix);
}

void EvaluatePage::chooseCsvFile() {
  const QString path = QFileDialog::getSaveFileName(this, tr("Save per-class results"), suggestedFileName(QStringLiteral("csv")),
                                                    tr("CSV files (*.csv);;All files (*)"));
  if (path.isEmpty()) return;
  QSettings().setValue(kResultsFolderKey, QFileInfo(path).absolutePath());
  saveCsv(path);
}

void EvaluatePage::chooseJsonFile() {
  const QString path = QFileDialog::getSaveFileName(this, tr("Save evaluation results"), suggestedFileName(QStringLiteral("json")),
                                                    tr("JSON files (*.json);;All files (*)"));
  if (path.isEmpty()) return;
  QSettings().setValue(kResultsFolderKey, QFileInfo(path).absolutePath());
  saveJson(path);
}

void EvaluatePage::restoreLayout() {
  const QSettings settings;
  resultsSplitter_->restoreState(settings.value(kResultsSplitterKey).toByteArray());
  topSplitter_->restoreState(settings.value(kTopSplitterKey).toByteArray());
}

void EvaluatePage::saveLayout() const {
  QSettings settings;
  settings.setValue(kResultsSplitterKey, resultsSplitter_->saveState());
  settings.setValue(kTopSplitterKey, topSplitter_->saveState());
}

}  // namespace fovea::ui
