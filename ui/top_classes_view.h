// The most probable classes of one image as horizontal bars: the class name, a bar as long as its
// probability and the percentage, most probable first.
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

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  int rowHeight() const;

  QList<ClassScoreItem> scores_;
};

}  // namespace fovea::ui
