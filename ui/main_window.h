// Fovea's main window: one tab per task (Train, Classify, Evaluate), the File and Edit menus and a
// status bar with the state of the running jobs and the compute device. Files dropped anywhere on the
// window go to the Classify page. Geometry and toolbar/dock state persist in QSettings.
#pragma once

#include <QMainWindow>
#include <thread>

#include "engine/observer.h"

class QAction;
class QLabel;
class QTabWidget;

namespace fovea::ui {

class ClassifyPage;
class EvaluatePage;
class ExportDialog;
class TrainPage;

class MainWindow final : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;  // waits for the device probe (it only asks the runtime which devices exist)

  TrainPage* trainPage() const { return trainPage_; }
  ClassifyPage* classifyPage() const { return classifyPage_; }
  EvaluatePage* evaluatePage() const { return evaluatePage_; }
  QString deviceText() const;
  QAction* exportAction() const { return exportAction_; }
  // Created on first use; prefilled with the Classify page's model.
  ExportDialog* exportDialog();
  void showExportDialog();
  void showClassifyPage();

 protected:
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void createMenus();
  void showJobStates();
  void probeDevice();
  void restoreWindowState();
  void saveWindowState() const;

  QTabWidget* tabs_;
  TrainPage* trainPage_;
  ClassifyPage* classifyPage_;
  EvaluatePage* evaluatePage_;
  QLabel* jobStateLabel_;
  QLabel* deviceLabel_;
  QAction* exportAction_ = nullptr;
  ExportDialog* exportDialog_ = nullptr;
  bool evaluated_ = false;  // the status bar tells evaluation states once one was started
  std::thread deviceProbe_;
};

}  // namespace fovea::ui
