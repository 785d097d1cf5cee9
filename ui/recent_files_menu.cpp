#include "ui/recent_files_menu.h"

#include <QFileInfo>

#include "ui/recent_files.h"

namespace fovea::ui {

RecentFilesMenu::RecentFilesMenu(RecentFiles* checkpoints, RecentFiles* datasets, QWidget* parent)
    : QMenu(tr("Open &Recent"), parent), checkpoints_(checkpoints), datasets_(datasets) {
  setObjectName(QStringLiteral("recentFilesMenu"));
  setToolTipsVisible(true);
  connect(checkpoints_, &RecentFiles::changed, this, &RecentFilesMenu::rebuild);
  connect(datasets_, &RecentFiles::changed, this, &RecentFilesMenu::rebuild);
  // Files may have appeared or gone since the last change of the lists.
  connect(this, &QMenu::aboutToShow, this, &RecentFilesMenu::rebuild);
  rebuild();
}

void RecentFilesMenu::rebuild() {
  clear();
  checkpointActions_ = addEntries(tr("Checkpoints"), checkpoints_->paths(), &RecentFilesMenu::checkpointChosen);
  datasetActions_ = addEntries(tr("Data sets"), datasets_->paths(), &RecentFilesMenu::datasetChosen);
  if (checkpointActions_.isEmpty() && datasetActions_.isEmpty()) addAction(tr("No recent files"))->setEnabled(false);
  addSeparator();
  QAction* clearAll = addAction(tr("&Clear recent files"), this, [this] {
    checkpoints_->clear();
    datasets_->clear();
  });
  clearAll->setEnabled(!checkpointActions_.isEmpty() || !datasetActions_.isEmpty());
}

QList<QAction*> RecentFilesMenu::addEntries(const QString& heading, const QStringList& paths,
                                            void (RecentFilesMenu::*chosen)(const QString&)) {
  QList<QAction*> actions;
  for (const QString& path : paths) {
    if (!QFileInfo::exists(path)) continue;
    if (actions.isEmpty()) addSection(heading);
    QAction* action = addAction(QFileInfo(path).fileName(), this, [this, chosen, path] { Q_EMIT(this->*chosen)(path); });
    action->setToolTip(path);
    action->setData(path);
    actions << action;
  }
  return actions;
}

}  // namespace fovea::ui
