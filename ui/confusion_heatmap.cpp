#include "ui/confusion_heatmap.h"

#include <QLocale>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <cmath>

#include "ui/theme.h"

namespace fovea::ui {

namespace {

constexpr int kNameColumnWidth = 110;  // for class names beside the rows, when they fit
constexpr double kLogScale = 100.0;    // colour = log(1 + k·share) / log(1 + k)
const QColor kSelection(255, 140, 0);  // orange: stands out on the blue ramp in light and dark palettes

QColor blend(const QColor& a, const QColor& b, double t) {
  return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t), float(a.greenF() + (b.greenF() - a.greenF()) * t),
                          float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

// Any non-zero cell is at least heatLow: a single mistake never disappears into the background.
QRgb cellColour(int64_t count, int64_t rowSum, const QPalette& palette) {
  if (count <= 0 || rowSum <= 0) return palette.color(QPalette::Base).rgb();
  const double share = double(count) / double(rowSum);
  const double t = std::log1p(kLogScale * share) / std::log1p(kLogScale);
  return blend(heatLow(palette), heatHigh(palette), std::clamp(t, 0.0, 1.0)).rgb();
}

}  // namespace

ConfusionHeatmap::ConfusionHeatmap(QWidget* parent) : QWidget(parent) {
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
  setCursor(Qt::PointingHandCursor);
}

void ConfusionHeatmap::setMatrix(const std::vector<int64_t>& confusion, int numClasses,
                                 const std::vector<std::string>& classNames) {
  const bool fits = numClasses > 0 && confusion.size() == size_t(numClasses) * size_t(numClasses);
  classes_ = fits ? numClasses : 0;
  confusion_ = fits ? confusion : std::vector<int64_t>{};
  names_.clear();
  for (int c = 0; c < classes_; ++c)
    names_ << (size_t(c) < classNames.size() ? QString::fromStdString(classNames[size_t(c)]) : QString::number(c));
  selected_.reset();
  renderImage();
  update();
}

void ConfusionHeatmap::clear() { setMatrix({}, 0, {}); }

int64_t ConfusionHeatmap::count(int trueClass, int predicted) const {
  if (trueClass < 0 || predicted < 0 || trueClass >= classes_ || predicted >= classes_) return 0;
  return confusion_[size_t(trueClass) * size_t(classes_) + size_t(predicted)];
}

QString ConfusionHeatmap::cellText(int trueClass, int predicted) const {
  if (trueClass < 0 || predicted < 0 || trueClass >= classes_ || predicted >= classes_) return {};
  return tr("true %1 → predicted %2: %3")
      .arg(names_.at(trueClass), names_.at(predicted), QLocale().toString(qlonglong(count(trueClass, predicted))));
}

void ConfusionHeatmap::renderImage() {
  scaled_ = QPixmap();
  if (classes_ == 0) {
    image_ = QImage();
    return;
  }
  image_ = QImage(classes_, classes_, QImage::Format_RGB32);
  const auto n = size_t(classes_);
  for (size_t t = 0; t < n; ++t) {
    int64_t rowSum = 0;
    for (size_t p = 0; p < n; ++p) rowSum += confusion_[t * n + p];
    auto* line = reinterpret_cast<QRgb*>(image_.scanLine(int(t)));
    for (size_t p = 0; p < n; ++p) line[p] = cellColour(confusion_[t * n + p], rowSum, palette());
  }
}

bool ConfusionHeatmap::showsNames() const {
  return classes_ > 0 && classes_ * (fontMetrics().height() + 2) <= height();
}

QRectF ConfusionHeatmap::matrixRect() const {
  const int line = fontMetrics().height();
  const double left = (showsNames() ? kNameColumnWidth : 0) + line + 8;
  const double top = 2 * line + 8;
  const double side = std::max(0.0, std::min(width() - left - 8, height() - top - 8));
  return {left, top, side, side};
}

QRectF ConfusionHeatmap::cellRect(int trueClass, int predicted) const {
  if (classes_ == 0) return {};
  const QRectF matrix = matrixRect();
  const double cell = matrix.width() / classes_;
  return {matrix.left() + predicted * cell, matrix.top() + trueClass * cell, cell, cell};
}

std::optional<ConfusionHeatmap::Cell> ConfusionHeatmap::cellAt(const QPointF& position) const {
  const QRectF matrix = matrixRect();
  if (classes_ == 0 || matrix.isEmpty() || !matrix.contains(position)) return std::nullopt;
  const double cell = matrix.width() / classes_;
  const int predicted = std::clamp(int((position.x() - matrix.left()) / cell), 0, classes_ - 1);
  const int trueClass = std::clamp(int((position.y() - matrix.top()) / cell), 0, classes_ - 1);
  return Cell{trueClass, predicted};
}

void ConfusionHeatmap::selectCell(int trueClass, int predicted) {
  if (trueClass < 0 || predicted < 0 || trueClass >= classes_ || predicted >= classes_) return;
  selected_ = Cell{trueClass, predicted};
  update();
  Q_EMIT cellClicked(trueClass, predicted);
}

void ConfusionHeatmap::clearSelection() {
  selected_.reset();
  update();
}

QSize ConfusionHeatmap::sizeHint() const { return {420, 420}; }

QSize ConfusionHeatmap::minimumSizeHint() const { return {160, 160}; }

void ConfusionHeatmap::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.fillRect(rect(), palette().base());
  if (classes_ == 0) {
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, tr("The confusion matrix appears after an evaluation."));
    return;
  }
  const QRectF matrix = matrixRect();
  if (matrix.isEmpty()) return;
  // Scaled once per size: smooth when shrinking (every cell leaves a trace), sharp cells when growing.
  const QSize target = matrix.size().toSize();
  if (scaled_.size() != target) {
    const auto mode = target.width() < classes_ ? Qt::SmoothTransformation : Qt::FastTransformation;
    scaled_ = QPixmap::fromImage(image_.scaled(target, Qt::IgnoreAspectRatio, mode));
  }
  painter.drawPixmap(matrix.topLeft(), scaled_);
  painter.setPen(palette().color(QPalette::Mid));
  painter.drawRect(matrix.adjusted(-0.5, -0.5, 0.5, 0.5));
  paintCounts(painter, matrix);
  paintLabels(painter, matrix);
  if (selected_) {
    QRectF cell = cellRect(selected_->first, selected_->second);
    if (cell.width() < 5) cell = QRectF(cell.center() - QPointF(2.5, 2.5), QSizeF(5, 5));
    painter.setPen(QPen(kSelection, 2));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(cell);
  }
}

// The counts in the cells, when the cells are large enough to read them.
void ConfusionHeatmap::paintCounts(QPainter& painter, const QRectF& matrix) const {
  const double cell = matrix.width() / classes_;
  const QFontMetrics metrics = fontMetrics();
  if (cell < 2.2 * metrics.height()) return;
  for (int t = 0; t < classes_; ++t) {
    for (int p = 0; p < classes_; ++p) {
      const int64_t n = count(t, p);
      if (n == 0) continue;
      const QColor background = QColor::fromRgb(image_.pixel(p, t));
      painter.setPen(background.lightnessF() < 0.55 ? Qt::white : Qt::black);
      const QString text = QString::number(n);
      if (metrics.horizontalAdvance(text) + 2 < cell) painter.drawText(cellRect(t, p), Qt::AlignCenter, text);
    }
  }
}

// Axis titles; class names beside the rows and indices above the columns where they fit.
void ConfusionHeatmap::paintLabels(QPainter& painter, const QRectF& matrix) const {
  const QFontMetrics metrics = fontMetrics();
  const int line = metrics.height();
  painter.setPen(palette().color(QPalette::WindowText));
  painter.drawText(QRectF(matrix.left(), 2, matrix.width(), line), Qt::AlignCenter, tr("Predicted class"));
  painter.save();
  painter.translate(4, matrix.center().y());
  painter.rotate(-90);
  painter.drawText(QRectF(-matrix.height() / 2, 0, matrix.height(), line), Qt::AlignCenter, tr("True class"));
  painter.restore();

  const double cell = matrix.width() / classes_;
  if (showsNames() && cell >= line) {
    for (int c = 0; c < classes_; ++c) {
      const QRectF row(matrix.left() - kNameColumnWidth - 4, matrix.top() + c * cell, kNameColumnWidth, cell);
      painter.drawText(row, Qt::AlignRight | Qt::AlignVCenter, metrics.elidedText(names_.at(c), Qt::ElideRight, kNameColumnWidth));
    }
  }
  // Column indices: every column when there is room, else evenly spaced ones.
  const int widest = metrics.horizontalAdvance(QString::number(classes_ - 1)) + 6;
  const int step = std::max(1, int(std::ceil(widest / std::max(cell, 1e-6))));
  const int every = step == 1 ? 1 : int(std::pow(10, std::ceil(std::log10(step))));  // 1, 10, 100: round numbers
  for (int c = 0; c < classes_; c += every) {
    const QRectF label(matrix.left() + (c + 0.5) * cell - widest / 2.0, matrix.top() - line - 2, widest, line);
    painter.drawText(label, Qt::AlignCenter, QString::number(c));
  }
}

bool ConfusionHeatmap::event(QEvent* event) {
  if (event->type() == QEvent::PaletteChange) {  // the ramp starts at the palette's base colour
    renderImage();
    update();
  }
  if (event->type() != QEvent::ToolTip) return QWidget::event(event);
  auto* help = static_cast<QHelpEvent*>(event);
  if (const auto cell = cellAt(help->pos())) {
    QToolTip::showText(help->globalPos(), cellText(cell->first, cell->second), this,
                       cellRect(cell->first, cell->second).toAlignedRect());
  } else if (classes_ > 0) {
    QToolTip::showText(help->globalPos(), tr("Rows: true classes; columns: predicted classes. Click a cell to show its images."), this);
  } else {
    QToolTip::hideText();
  }
  return true;
}

void ConfusionHeatmap::mousePressEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton) return QWidget::mousePressEvent(event);
  if (const auto cell = cellAt(event->position())) selectCell(cell->first, cell->second);
}

}  // namespace fovea::ui
