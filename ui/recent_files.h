// A most-recent-first list of paths (checkpoints or data sets) kept in QSettings under one key, so
// that File → Open Recent survives restarts and every window sees the same list.
#pragma once

#include <QObject>
#include <QStringList>

namespace fovea::ui {

class RecentFiles final : public QObject {
  Q_OBJECT

 public:
  static constexpr int kMaxEntries = 8;

  // `settingsKey`: e.g. "recent/checkpoints".
  explicit RecentFiles(QString settingsKey, QObject* parent = nullptr);

  // Moves `path` (made absolute) to the front; the oldest entry beyond kMaxEntries drops out.
  void add(const QString& path);
  void clear();
  // As saved: newest first, including paths that no longer exist (the menu leaves those out).
  QStringList paths() const;

 Q_SIGNALS:
  void changed();

 private:
  void save(const QStringList& paths);

  QString key_;
};

}  // namespace fovea::ui
