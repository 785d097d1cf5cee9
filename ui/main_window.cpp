#include "ui/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QIcon>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <algorithm>

#include "engine/train_config.h"
#include "ui/about_dialog.h"
#include "ui/button_action.h"
#include "ui/classify_page.h"
#include "ui/dataset_picker.h"
#include "ui/device_status_label.h"
#include "ui/dropped_files.h"
#include "ui/eval_settings_form.h"
#include "ui/evaluate_page.h"
#include "ui/export_dialog.h"
#include "ui/job_state_text.h"
#include "ui/recent_files.h"
#include "ui/recent_files_menu.h"
#include "ui/run_controls.h"
#include "ui/train_page.h"
#include "ui/train_settings_form.h"

namespace fovea::ui {

namespace {

const QString kGeometryKey = QStringLiteral("mainWindow/geometry");
const QString kStateKey = QStringLiteral("mainWindow/state");
const QString kPageKey = QStringLiteral("mainWindow/page");
const QString kRecentCheckpointsKey = QStringLiteral("recent/checkpoints");
const QString kRecentDatasetsKey = QStringLiteral("recent/datasets");
const QSize kDefaultSize(1360, 860);
constexpr int kStatusMessageMs = 8000;

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      tabs_(new QTabWidget(this)),
      trainPage_(new TrainPage(tabs_)),
      classifyPage_(new ClassifyPage(tabs_)),
      evaluatePage_(new EvaluatePage(tabs_)),
      jobStateLabel_(new QLabel(this)),
      deviceLabel_(new DeviceStatusLabel(this)),
      recentCheckpoints_(new RecentFiles(kRecentCheckpointsKey, this)),
      recentDatasets_(new RecentFiles(kRecentDatasetsKey, this)) {
  setWindowTitle(tr("Fovea"));
  setAcceptDrops(true);
  tabs_->setObjectName(QStringLiteral("pages"));
  tabs_->setDocumentMode(true);
  tabs_->addTab(trainPage_, tr("Train"));
  tabs_->addTab(classifyPage_, tr("Classify"));
  tabs_->addTab(evaluatePage_, tr("Evaluate"));
  setCentralWidget(tabs_);
  createMenus();
  connect(classifyPage_, &ClassifyPage::activationRequested, this, &MainWindow::showClassifyPage);

  jobStateLabel_->setObjectName(QStringLiteral("jobStateLabel"));
  jobStateLabel_->setToolTip(tr("The state of the training and evaluation jobs"));
  statusBar()->addPermanentWidget(jobStateLabel_);
  statusBar()->addPermanentWidget(deviceLabel_);
  connect(trainPage_, &TrainPage::jobStateChanged, this, &MainWindow::showJobStates);
  connect(evaluatePage_, &EvaluatePage::jobStateChanged, this, [this](engine::JobState state) {
    evaluated_ = evaluated_ || state != engine::JobState::Idle;
    showJobStates();
  });
  showJobStates();
  trackRecentFiles();
  restoreWindowState();
}

MainWindow::~MainWindow() = default;

QString MainWindow::deviceText() const { return deviceLabel_->text(); }

QString MainWindow::jobStateText() const { return jobStateLabel_->text(); }

void MainWindow::closeEvent(QCloseEvent* event) {
  saveWindowState();
  QMainWindow::closeEvent(event);
}

void MainWindow::createMenus() {
  createFileMenu();
  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  edit->addAction(classifyPage_->pasteAction());
  createViewMenu();
  createRunMenu();
  createHelpMenu();
}

void MainWindow::createFileMenu() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(classifyPage_->openCheckpointAction());
  file->addAction(classifyPage_->openImagesAction());
  file->addAction(classifyPage_->openFolderAction());
  recentMenu_ = new RecentFilesMenu(recentCheckpoints_, recentDatasets_, file);
  connect(recentMenu_, &RecentFilesMenu::checkpointChosen, this, &MainWindow::openRecentCheckpoint);
  connect(recentMenu_, &RecentFilesMenu::datasetChosen, this, &MainWindow::openRecentDataset);
  file->addMenu(recentMenu_);
  file->addSeparator();
  exportAction_ = file->addAction(tr("&Export model…"), this, &MainWindow::showExportDialog);
  exportAction_->setShortcut(QKeySequence(tr("Ctrl+E")));
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);
  quit->setMenuRole(QAction::QuitRole);
}

// Ctrl+1..3 switch pages, in tab order.
void MainWindow::createViewMenu() {
  QMenu* view = menuBar()->addMenu(tr("&View"));
  const QStringList names = {tr("&Train page"), tr("&Classify page"), tr("&Evaluate page")};
  for (int i = 0; i < tabs_->count(); ++i) {
    QAction* page = view->addAction(names.at(i), this, [this, i] { tabs_->setCurrentIndex(i); });
    page->setShortcut(QKeySequence(tr("Ctrl+%1").arg(i + 1)));
    page->setObjectName(QStringLiteral("showPage%1Action").arg(i + 1));
  }
}

// The pages' run buttons as menu entries with shortcuts; each action shows its page first.
void MainWindow::createRunMenu() {
  QMenu* run = menuBar()->addMenu(tr("&Run"));
  RunControls* controls = trainPage_->runControls();
  const auto onPage = [this](QAction* action, QWidget* page) {
    connect(action, &QAction::triggered, this, [this, page] { tabs_->setCurrentWidget(page); });
    return action;
  };
  run->addAction(onPage(new ButtonAction(tr("&Start training"), QKeySequence(tr("Ctrl+R")), controls->startButton(), this),
                        trainPage_));
  run->addAction(onPage(new ButtonAction(tr("&Pause or resume training"), QKeySequence(tr("Ctrl+Shift+P")),
                                         controls->pauseButton(), this),
                        trainPage_));
  run->addAction(
      onPage(new ButtonAction(tr("S&top training"), QKeySequence(tr("Ctrl+.")), controls->stopButton(), this), trainPage_));
  run->addSeparator();
  run->addAction(onPage(new ButtonAction(tr("&Evaluate"), QKeySequence(tr("Ctrl+Shift+E")),
                                         evaluatePage_->evaluateButton(), this),
                        evaluatePage_));
  run->addAction(onPage(new ButtonAction(tr("&Cancel evaluation"), QKeySequence(tr("Ctrl+Shift+.")),
                                         evaluatePage_->cancelButton(), this),
                        evaluatePage_));
}

void MainWindow::createHelpMenu() {
  QMenu* help = menuBar()->addMenu(tr("&Help"));
  QAction* about = help->addAction(tr("&About Fovea"), this, &MainWindow::showAboutDialog);
  about->setMenuRole(QAction::AboutRole);
  help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt)->setMenuRole(QAction::AboutQtRole);
}

void MainWindow::showAboutDialog() {
  auto* dialog = new AboutDialog(this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->open();
}

// Checkpoints and data sets enter the recent lists when they are used: a model loaded, a run started.
void MainWindow::trackRecentFiles() {
  connect(classifyPage_, &ClassifyPage::modelChanged, this, [this] {
    if (const auto& model = classifyPage_->model()) recentCheckpoints_->add(model->path);
  });
  connect(trainPage_, &TrainPage::jobStateChanged, this, [this](engine::JobState state) {
    if (state == engine::JobState::Running)
      recentDatasets_->add(QString::fromStdString(trainPage_->settingsForm()->config().data_path));
  });
  connect(evaluatePage_, &EvaluatePage::jobStateChanged, this, [this](engine::JobState state) {
    if (state != engine::JobState::Running) return;
    recentCheckpoints_->add(evaluatePage_->settingsForm()->checkpoint());
    recentDatasets_->add(evaluatePage_->settingsForm()->datasetPicker()->path());
  });
}

// A recent checkpoint goes to the Evaluate page when that is the one shown, else it loads for classifying.
void MainWindow::openRecentCheckpoint(const QString& path) {
  recentCheckpoints_->add(path);
  if (tabs_->currentWidget() == evaluatePage_) {
    evaluatePage_->settingsForm()->setCheckpoint(path);
  } else {
    showClassifyPage();
    classifyPage_->loadCheckpoint(path);
  }
}

// A recent data set goes to the Evaluate page when that is the one shown, else to the Train page.
void MainWindow::openRecentDataset(const QString& path) {
  recentDatasets_->add(path);
  if (tabs_->currentWidget() == evaluatePage_) {
    evaluatePage_->settingsForm()->datasetPicker()->setPath(path);
  } else {
    tabs_->setCurrentWidget(trainPage_);
    trainPage_->settingsForm()->datasetPicker()->setPath(path);
  }
}

bool MainWindow::openFiles(const QStringList& paths) {
  QStringList images;  // and folders of images
  QStringList checkpoints;
  QStringList missing;
  for (const QString& path : paths) {
    if (!QFileInfo::exists(path)) {
      missing << path;
    } else if (QFileInfo(path).isFile() && isCheckpointFile(path)) {
      checkpoints << QFileInfo(path).absoluteFilePath();
    } else {
      images << QFileInfo(path).absoluteFilePath();
    }
  }
  if (!checkpoints.isEmpty()) {
    evaluatePage_->settingsForm()->setCheckpoint(checkpoints.last());
    recentCheckpoints_->add(checkpoints.last());
    tabs_->setCurrentWidget(evaluatePage_);
  }
  if (!images.isEmpty()) {
    if (!checkpoints.isEmpty()) classifyPage_->loadCheckpoint(checkpoints.last());  // classify with it
    showClassifyPage();
    classifyPage_->openPaths(images);
  }
  reportUnopened(missing);
  return !images.isEmpty() || !checkpoints.isEmpty();
}

// Non-modal: start-up goes on, and a file manager's second request is not blocked by the first message.
void MainWindow::reportUnopened(const QStringList& missing) {
  if (missing.isEmpty()) return;
  openFilesMessage_ = missing.size() == 1 ? tr("%1 does not exist.").arg(missing.first())
                                          : tr("These files do not exist:\n%1").arg(missing.join(QLatin1Char('\n')));
  statusBar()->showMessage(openFilesMessage_.section(QLatin1Char('\n'), 0, 0), kStatusMessageMs);
  auto* box = new QMessageBox(QMessageBox::Warning, tr("Cannot open"), openFilesMessage_, QMessageBox::Ok, this);
  box->setObjectName(QStringLiteral("openFilesMessageBox"));
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
}

void MainWindow::reloadLastModel() { classifyPage_->reloadLastModel(); }

void MainWindow::showClassifyPage() { tabs_->setCurrentWidget(classifyPage_); }

ExportDialog* MainWindow::exportDialog() {
  if (!exportDialog_) exportDialog_ = new ExportDialog(this);
  return exportDialog_;
}

// The dialog starts from the Classify page's model; it can pick any other checkpoint itself.
void MainWindow::showExportDialog() {
  ExportDialog* dialog = exportDialog();
  if (const auto& model = classifyPage_->model(); model && !dialog->isRunning() && dialog->checkpoint() != model->path)
    dialog->setCheckpoint(model->path, model->model, !model->fromMetadata);
  dialog->open();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (!localPaths(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const QStringList paths = localPaths(event->mimeData());
  if (paths.isEmpty()) return;
  event->acceptProposedAction();
  showClassifyPage();
  classifyPage_->openPaths(paths);
}

void MainWindow::showJobStates() {
  QString text = tr("Training: %1").arg(ui::jobStateText(trainPage_->jobState()));
  if (evaluated_) text += tr(" · Evaluation: %1").arg(ui::jobStateText(evaluatePage_->jobState()));
  jobStateLabel_->setText(text);
}

void MainWindow::restoreWindowState() {
  const QSettings settings;
  if (!restoreGeometry(settings.value(kGeometryKey).toByteArray())) resize(kDefaultSize);
  restoreState(settings.value(kStateKey).toByteArray());
  tabs_->setCurrentIndex(std::clamp(settings.value(kPageKey, 0).toInt(), 0, tabs_->count() - 1));
}

void MainWindow::saveWindowState() const {
  QSettings settings;
  settings.setValue(kGeometryKey, saveGeometry());
  settings.setValue(kStateKey, saveState());
  settings.setValue(kPageKey, tabs_->currentIndex());
}

}  // namespace fovea::ui
