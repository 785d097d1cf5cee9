// Fovea's main window: one tab per task (Train for now; Classify and Evaluate follow) and a status
// bar with the state of the running job. Geometry and toolbar/dock state persist in QSettings.
#pragma once

#include <QMainWindow>

#include "engine/observer.h"

class QLabel;
class QTabWidget;

namespace fovea::ui {

class TrainPage;

class MainWindow final : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);

  TrainPage* trainPage() const { return trainPage_; }

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void showJobState(engine::JobState state);
  void restoreWindowState();
  void saveWindowState() const;

  QTabWidget* tabs_;
  TrainPage* trainPage_;
  QLabel* jobStateLabel_;
};

}  // namespace fovea::ui
