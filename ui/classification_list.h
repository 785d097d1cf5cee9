// The Classify page's results, one row per image: a thumbnail, the file's name and the most probable
// class (or the error, in red). Rows are found by the id of their latest request; a result for an id
// no row holds any more (cleared, or classified again since) is ignored.
#pragma once

#include <QHash>
#include <QListWidget>
#include <optional>

#include "ui/classification.h"

namespace fovea::ui {

class ClassificationList final : public QListWidget {
  Q_OBJECT

 public:
  explicit ClassificationList(QWidget* parent = nullptr);

  // A row waiting for its result; returns the row.
  int addPending(int id, const QString& title, const QString& note);
  // Gives an existing row a new request id (classified again) and shows `note` until its result comes.
  void setPending(int row, int id, const QString& note);
  // False when no row waits for the result's id.
  bool setResult(const ImageClassification& result);
  void clearRows();

  int idAt(int row) const;
  QString titleAt(int row) const;
  // Empty while the row waits.
  std::optional<ImageClassification> resultAt(int row) const;
  int finishedCount() const { return int(results_.size()); }
  int errorCount() const;

 private:
  int rowOf(int id) const;

  QHash<int, ImageClassification> results_;  // by row id
};

}  // namespace fovea::ui
