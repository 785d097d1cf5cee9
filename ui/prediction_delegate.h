// Paints one prediction of a PredictionListModel: the thumbnail in a green (right) or red (wrong) frame,
// the true class and the predicted class with its probability below.
#pragma once

#include <QStyledItemDelegate>

namespace fovea::ui {

class PredictionDelegate final : public QStyledItemDelegate {
  Q_OBJECT

 public:
  using QStyledItemDelegate::QStyledItemDelegate;

  void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
  QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
  static QSize itemSize(const QFontMetrics& metrics);
};

}  // namespace fovea::ui
