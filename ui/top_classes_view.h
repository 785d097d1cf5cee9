// The most probable classes of one image as horizontal bars: the class name, a bar as long as its
// probability and the percentage, most probable first. A click on a row picks its class (the Grad-CAM
// map then explains it); the marked class has a frame.
#pragma once

#include <QList>
#include <QWidget>

#include "ui/classification.h"

namespace fovea::ui {

class TopClassesView final : public QWidget {
  Q_OBJECT

 public:
  explicit TopClassesView(QWidget* parent = nullptr);

  void setScores(const QList<ClassScoreItem>& scores);
  const QList<ClassScoreItem>& scores() const { return scores_; }
  // -1: none marked.
  void setMarkedClass(qint64 index);
  qint64 markedClass() const { return marked_; }
  // The top of the row that shows `index`'s bar, -1 when none does.
  int rowTop(qint64 index) const;

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 Q_SIGNALS:
  void classClicked(qint64 index);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;

 private:
  int rowHeight() const;

  QList<ClassScoreItem> scores_;
  qint64 marked_ = -1;
};

}  // namespace fovea::ui
