#include "ui/top_classes_view.h"

#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <algorithm>

#include "ui/classifier_worker.h"

namespace fovea::ui {

namespace {

constexpr int kGap = 8;
constexpr int kMaxNameWidth = 240;

}  // namespace

TopClassesView::TopClassesView(QWidget* parent) : QWidget(parent) {
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void TopClassesView::setScores(const QList<ClassScoreItem>& scores) {
  scores_ = scores;
  QStringList lines;
  const QLocale locale;
  for (const ClassScoreItem& s : scores_)
    lines << tr("%1 (class %2): %3 %").arg(s.name).arg(s.index).arg(locale.toString(100 * s.probability, 'f', 2));
  setToolTip(lines.join(QLatin1Char('\n')));
  update();
}

void TopClassesView::setMarkedClass(qint64 index) {
  marked_ = index;
  update();
}

int TopClassesView::rowTop(qint64 index) const {
  for (int i = 0; i < scores_.size(); ++i)
    if (scores_[i].index == index) return i * rowHeight();
  return -1;
}

void TopClassesView::mousePressEvent(QMouseEvent* event) {
  const int row = int(event->position().y()) / rowHeight();
  if (event->button() == Qt::LeftButton && row >= 0 && row < scores_.size()) Q_EMIT classClicked(scores_[row].index);
  QWidget::mousePressEvent(event);
}

int TopClassesView::rowHeight() const { return fontMetrics().height() + 10; }

// Room for the page's five rows even while empty, so that the layout does not jump.
QSize TopClassesView::sizeHint() const { return {420, ClassifierWorker::kTopK * rowHeight()}; }

QSize TopClassesView::minimumSizeHint() const { return {240, ClassifierWorker::kTopK * rowHeight()}; }

void TopClassesView::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  const QLocale locale;
  const QFontMetrics metrics = fontMetrics();
  const int percentWidth = metrics.horizontalAdvance(QStringLiteral("100.0 %")) + kGap;
  const int nameWidth = std::min(kMaxNameWidth, width() * 2 / 5);
  const int barLeft = nameWidth + kGap;
  const int barSpace = std::max(0, width() - barLeft - percentWidth);
  const QColor barColor = palette().color(QPalette::Highlight);
  const QColor trackColor = palette().color(QPalette::AlternateBase);

  for (int i = 0; i < scores_.size(); ++i) {
    const ClassScoreItem& score = scores_[i];
    const QRect row(0, i * rowHeight(), width(), rowHeight());
    const QRect nameRect(0, row.top(), nameWidth, row.height());
    painter.setPen(palette().color(QPalette::WindowText));
    QFont font = this->font();
    font.setBold(i == 0);
    painter.setFont(font);
    painter.drawText(nameRect, Qt::AlignVCenter | Qt::AlignLeft,
                     QFontMetrics(font).elidedText(score.name, Qt::ElideRight, nameWidth));

    const QRect track(barLeft, row.top() + 4, barSpace, row.height() - 8);
    painter.setPen(Qt::NoPen);
    painter.setBrush(trackColor);
    painter.drawRoundedRect(track, 3, 3);
    QRect bar = track;
    bar.setWidth(int(std::clamp(score.probability, 0.0, 1.0) * track.width()));
    painter.setBrush(i == 0 ? barColor : barColor.lighter(140));
    if (bar.width() > 0) painter.drawRoundedRect(bar, 3, 3);

    painter.setPen(palette().color(QPalette::WindowText));
    painter.setFont(this->font());
    painter.drawText(QRect(track.right() + kGap, row.top(), percentWidth - kGap, row.height()),
                     Qt::AlignVCenter | Qt::AlignRight, tr("%1 %").arg(locale.toString(100 * score.probability, 'f', 1)));
    if (score.index == marked_) {
      painter.setPen(QPen(barColor.darker(130), 1.5));
      painter.setBrush(Qt::NoBrush);
      painter.drawRoundedRect(QRectF(row).adjusted(1, 1, -1, -1), 4, 4);
    }
  }
}

}  // namespace fovea::ui
