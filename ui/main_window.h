// Fovea's main window: one tab per task (Train, Classify, Evaluate), the File, Edit, View, Run and Help
// menus (each main action with its shortcut), File → Open Recent, and a status bar with the state of the
// running jobs and the compute device. Files dropped on the window go to the Classify page; files opened
// from the command line or a file manager go where they belong (openFiles). Geometry, toolbar/dock state
// and the current page persist in QSettings.
#pragma once

#include <QMainWindow>

#include "engine/observer.h"

class QAction;
class QLabel;
class QTabWidget;

namespace fovea::ui {

class ClassifyPage;
class DeviceStatusLabel;
class EvaluatePage;
class ExportDialog;
class RecentFiles;
class RecentFilesMenu;
class TrainPage;

class MainWindow final : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  TrainPage* trainPage() const { return trainPage_; }
  ClassifyPage* classifyPage() const { return classifyPage_; }
  EvaluatePage* evaluatePage() const { return evaluatePage_; }
  QTabWidget* pages() const { return tabs_; }
  QString deviceText() const;
  QString jobStateText() const;
  QAction* exportAction() const { return exportAction_; }
  RecentFiles* recentCheckpoints() const { return recentCheckpoints_; }
  RecentFiles* recentDatasets() const { return recentDatasets_; }
  RecentFilesMenu* recentFilesMenu() const { return recentMenu_; }
  // Created on first use; prefilled with the Classify page's model.
  ExportDialog* exportDialog();
  void showExportDialog();
  void showAboutDialog();
  void showClassifyPage();

  // What opening files from a file manager (or `fovea FILE…`) does: images and folders are classified
  // on the Classify page (with the loaded model, or they wait for one); a checkpoint becomes the Evaluate
  // page's checkpoint, and also the Classify page's model when images come with it. Paths that do not
  // exist are named in a message. Returns false when none of the paths could be opened.
  bool openFiles(const QStringList& paths);
  // The message about paths that could not be opened; empty when there was none.
  QString openFilesMessage() const { return openFilesMessage_; }

  // Loads the Classify page's model of the last session, when its file still exists (the app does this
  // at start-up, so that `fovea photo.jpg` classifies with the model used last).
  void reloadLastModel();

 protected:
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void createMenus();
  void createFileMenu();
  void createViewMenu();
  void createRunMenu();
  void createHelpMenu();
  void trackRecentFiles();
  void openRecentCheckpoint(const QString& path);
  void openRecentDataset(const QString& path);
  void reportUnopened(const QStringList& missing);
  void showJobStates();
  void restoreWindowState();
  void saveWindowState() const;

  QTabWidget* tabs_;
  TrainPage* trainPage_;
  ClassifyPage* classifyPage_;
  EvaluatePage* evaluatePage_;
  QLabel* jobStateLabel_;
  DeviceStatusLabel* deviceLabel_;
  RecentFiles* recentCheckpoints_;
  RecentFiles* recentDatasets_;
  RecentFilesMenu* recentMenu_ = nullptr;
  QAction* exportAction_ = nullptr;
  ExportDialog* exportDialog_ = nullptr;
  QString openFilesMessage_;
  bool evaluated_ = false;  // the status bar tells evaluation states once one was started
};

}  // namespace fovea::ui
