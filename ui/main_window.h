// Fovea's main window: one tab per task (Train, Classify; Evaluate follows), the File and Edit menus
// and a status bar with the state of the running job. Files dropped anywhere on the window go to the
// Classify page. Geometry and toolbar/dock state persist in QSettings.
#pragma once

#include <QMainWindow>

#include "engine/observer.h"

class QAction;
class QLabel;
class QTabWidget;

namespace fovea::ui {

class ClassifyPage;
class ExportDialog;
class TrainPage;

class MainWindow final : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);

  TrainPage* trainPage() const { return trainPage_; }
  ClassifyPage* classifyPage() const { return classifyPage_; }
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
  void showJobState(engine::JobState state);
  void restoreWindowState();
  void saveWindowState() const;

  QTabWidget* tabs_;
  TrainPage* trainPage_;
  ClassifyPage* classifyPage_;
  QLabel* jobStateLabel_;
  QAction* exportAction_ = nullptr;
  ExportDialog* exportDialog_ = nullptr;
};

}  // namespace fovea::ui
