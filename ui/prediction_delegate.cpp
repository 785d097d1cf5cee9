#include "ui/prediction_delegate.h"

#include <QApplication>
#include <QLocale>
#include <QPainter>

#include "ui/prediction_list_model.h"
#include "ui/theme.h"

namespace fovea::ui {

namespace {

constexpr int kFrame = 3;
constexpr int kMargin = 4;
constexpr int kTextWidth = 118;

}  // namespace

QSize PredictionDelegate::itemSize(const QFontMetrics& metrics) {
  const int side = PredictionListModel::kThumbnailSide + 2 * kFrame;
  return {std::max(side, kTextWidth) + 2 * kMargin, side + 2 * metrics.height() + 3 * kMargin};
}

QSize PredictionDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex&) const {
  return itemSize(option.fontMetrics);
}

void PredictionDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const {
  painter->save();
  if (option.state & QStyle::State_Selected) {
    QColor selection = option.palette.highlight().color();
    selection.setAlphaF(0.35f);  // a tint that keeps the text readable under light and dark palettes
    painter->fillRect(option.rect, selection);
  }
  const bool correct = index.data(PredictionListModel::CorrectRole).toBool();
  const QColor colour = correct ? successColor(option.palette) : errorColor(option.palette);
  const int thumb = PredictionListModel::kThumbnailSide;
  const QRect frame(option.rect.center().x() - thumb / 2 - kFrame, option.rect.top() + kMargin, thumb + 2 * kFrame,
                    thumb + 2 * kFrame);
  painter->fillRect(frame, colour);
  const QRect inner = frame.adjusted(kFrame, kFrame, -kFrame, -kFrame);
  painter->fillRect(inner, Qt::black);
  const QPixmap pixmap = index.data(PredictionListModel::ThumbnailRole).value<QPixmap>();
  if (!pixmap.isNull()) painter->drawPixmap(inner.center() - pixmap.rect().center(), pixmap);

  const QFontMetrics& metrics = option.fontMetrics;
  const int line = metrics.height();
  const QRect text(option.rect.left() + kMargin, frame.bottom() + kMargin, option.rect.width() - 2 * kMargin, line);
  const QString truth = index.data(PredictionListModel::TrueNameRole).toString();
  const QString predicted = tr("→ %1 %2 %")
                                .arg(index.data(PredictionListModel::PredictedNameRole).toString(),
                                     QLocale().toString(100.0 * index.data(PredictionListModel::ConfidenceRole).toDouble(), 'f', 0));
  painter->setPen(option.palette.color(QPalette::Text));
  painter->drawText(text, Qt::AlignHCenter | Qt::AlignTop, metrics.elidedText(truth, Qt::ElideRight, text.width()));
  painter->setPen(colour);
  painter->drawText(text.translated(0, line), Qt::AlignHCenter | Qt::AlignTop,
                    metrics.elidedText(predicted, Qt::ElideMiddle, text.width()));
  painter->restore();
}

}  // namespace fovea::ui
