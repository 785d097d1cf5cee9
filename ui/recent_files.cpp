#include "ui/recent_files.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

namespace fovea::ui {

RecentFiles::RecentFiles(QString settingsKey, QObject* parent) : QObject(parent), key_(std::move(settingsKey)) {}

void RecentFiles::add(const QString& path) {
  if (path.trimmed().isEmpty()) return;
  const QString absolute = QDir::toNativeSeparators(QFileInfo(path.trimmed()).absoluteFilePath());
  QStringList list = paths();
  if (!list.isEmpty() && list.first() == absolute) return;
  list.removeAll(absolute);
  list.prepend(absolute);
  while (list.size() > kMaxEntries) list.removeLast();
  save(list);
}

void RecentFiles::clear() { save({}); }

// Read each time: another window (or a test's second MainWindow) may have added to it.
QStringList RecentFiles::paths() const { return QSettings().value(key_).toStringList(); }

void RecentFiles::save(const QStringList& paths) {
  QSettings().setValue(key_, paths);
  Q_EMIT changed();
}

}  // namespace fovea::ui
