#include "ui/main_window.h"

#include <QCloseEvent>
#include <QLabel>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>

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
      jobStateLabel_(new QLabel(this)) {
  setWindowTitle(tr("Fovea"));
  tabs_->setDocumentMode(true);
  tabs_->addTab(trainPage_, tr("Train"));
  setCentralWidget(tabs_);

  jobStateLabel_->setObjectName(QStringLiteral("jobStateLabel"));
  statusBar()->addPermanentWidget(jobStateLabel_);
  connect(trainPage_, &TrainPage::jobStateChanged, this, &MainWindow::showJobState);
  showJobState(trainPage_->jobState());

  restoreWindowState();
}

void MainWindow::closeEvent(QCloseEvent* event) {
  saveWindowState();
  QMainWindow::closeEvent(event);
}

void MainWindow::showJobState(engine::JobState state) {
  jobStateLabel_->setText(tr("Training: %1").arg(jobStateText(state)));
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
