#include "ui/main_window.h"

#include <QAction>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMimeData>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <exception>

#include "engine/device.h"
#include "ui/classify_page.h"
#include "ui/evaluate_page.h"
#include "ui/dropped_files.h"
#include "ui/export_dialog.h"
#include "ui/job_state_text.h"
#include "ui/train_page.h"

namespace fovea::ui {

namespace {

const QString kGeometryKey = QStringLiteral("mainWindow/geometry");
const QString kStateKey = QStringLiteral("mainWindow/state");
const QSize kDefaultSize(1360, 860);

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      tabs_(new QTabWidget(this)),
      trainPage_(new TrainPage(tabs_)),
      classifyPage_(new ClassifyPage(tabs_)),
      evaluatePage_(new EvaluatePage(tabs_)),
      jobStateLabel_(new QLabel(this)),
      deviceLabel_(new QLabel(this)) {
  setWindowTitle(tr("Fovea"));
  setAcceptDrops(true);
  tabs_->setDocumentMode(true);
  tabs_->addTab(trainPage_, tr("Train"));
  tabs_->addTab(classifyPage_, tr("Classify"));
  tabs_->addTab(evaluatePage_, tr("Evaluate"));
  setCentralWidget(tabs_);
  createMenus();
  connect(classifyPage_, &ClassifyPage::activationRequested, this, &MainWindow::showClassifyPage);

  jobStateLabel_->setObjectName(QStringLiteral("jobStateLabel"));
  statusBar()->addPermanentWidget(jobStateLabel_);
  connect(trainPage_, &TrainPage::jobStateChanged, this, &MainWindow::showJobStates);
  connect(evaluatePage_, &EvaluatePage::jobStateChanged, this, [this](engine::JobState state) {
    evaluated_ = evaluated_ || state != engine::JobState::Idle;
    showJobStates();
  });
  showJobStates();
  deviceLabel_->setObjectName(QStringLiteral("deviceLabel"));
  deviceLabel_->setToolTip(tr("The device \"Automatic\" computes on"));
  statusBar()->addPermanentWidget(deviceLabel_);
  probeDevice();

  restoreWindowState();
}

MainWindow::~MainWindow() {
  if (deviceProbe_.joinable()) deviceProbe_.join();
}

QString MainWindow::deviceText() const { return deviceLabel_->text(); }

// Asking the runtime for GPUs can take a while (driver start-up): off the GUI thread, once.
void MainWindow::probeDevice() {
  deviceLabel_->setText(tr("Device: …"));
  deviceProbe_ = std::thread([label = deviceLabel_] {
    QString text;
    try {
      text = QString::fromStdString(engine::describe_device(engine::resolve_device("auto")));
    } catch (const std::exception& e) {
      text = QString::fromUtf8(e.what());
    }
    // The label outlives this thread: the window joins it before its children are destroyed.
    QMetaObject::invokeMethod(label, [label, text] { label->setText(MainWindow::tr("Device: %1").arg(text)); },
                              Qt::QueuedConnection);
  });
}

void MainWindow::closeEvent(QCloseEvent* event) {
  saveWindowState();
  QMainWindow::closeEvent(event);
}

void MainWindow::createMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(classifyPage_->openCheckpointAction());
  file->addAction(classifyPage_->openImagesAction());
  file->addAction(classifyPage_->openFolderAction());
  file->addSeparator();
  exportAction_ = file->addAction(tr("&Export model…"), this, &MainWindow::showExportDialog);
  exportAction_->setShortcut(QKeySequence(tr("Ctrl+E")));
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);
  quit->setMenuRole(QAction::QuitRole);

  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  edit->addAction(classifyPage_->pasteAction());
}

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
  QString text = tr("Training: %1").arg(jobStateText(trainPage_->jobState()));
  if (evaluated_) text += tr(" · Evaluation: %1").arg(jobStateText(evaluatePage_->jobState()));
  jobStateLabel_->setText(text);
}

void MainWindow::restoreWindowState() {
  const QSettings settings;
  if (!restoreGeometry(settings.value(kGeometryKey).toByteArray())) resize(kDefaultSize);
  restoreState(settings.value(kStateKey).toByteArray());
}

void MainWindow::saveWindowState() const {
  QSettings settings;
  settings.setValue(kGeometryKey, saveGeometry());
  settings.setValue(kStateKey, saveState());
}

}  // namespace fovea::ui
