// File → Open Recent: the recent checkpoints and data sets (those that still exist), each entry showing
// its file name with the full path as its tooltip, and "Clear recent files".
#pragma once

#include <QMenu>

namespace fovea::ui {

class RecentFiles;

class RecentFilesMenu final : public QMenu {
  Q_OBJECT

 public:
  RecentFilesMenu(RecentFiles* checkpoints, RecentFiles* datasets, QWidget* parent = nullptr);

  // The entries' actions, for tests: checkpoints then data sets.
  QList<QAction*> checkpointActions() const { return checkpointActions_; }
  QList<QAction*> datasetActions() const { return datasetActions_; }

 Q_SIGNALS:
  void checkpointChosen(const QString& path);
  void datasetChosen(const QString& path);

 private:
  void rebuild();
  QList<QAction*> addEntries(const QString& heading, const QStringList& paths, void (RecentFilesMenu::*chosen)(const QString&));

  RecentFiles* checkpoints_;
  RecentFiles* datasets_;
  QList<QAction*> checkpointActions_;
  QList<QAction*> datasetActions_;
};

}  // namespace fovea::ui
