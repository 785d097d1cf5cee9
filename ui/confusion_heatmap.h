// A confusion matrix as a heatmap: rows are true classes, columns predicted ones, each cell coloured by
// its share of the row (log-scaled, so single mistakes among many images still show). Painted from one
// image of n×n pixels scaled to the widget, so 1000 classes draw as quickly as 10. Hovering tells the
// cell ("true X → predicted Y: N"); clicking one emits cellClicked.
#pragma once

#include <QImage>
#include <QPixmap>
#include <QStringList>
#include <QWidget>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fovea::ui {

class ConfusionHeatmap final : public QWidget {
  Q_OBJECT

 public:
  using Cell = std::pair<int, int>;  // (true class, predicted class)

  explicit ConfusionHeatmap(QWidget* parent = nullptr);

  void setMatrix(const std::vector<int64_t>& confusion, int numClasses, const std::vector<std::string>& classNames);
  void clear();

  int classCount() const { return classes_; }
  int64_t count(int trueClass, int predicted) const;
  QString cellText(int trueClass, int predicted) const;  // the hover text
  // Where a cell is drawn now (widget coordinates), and which cell is at a point.
  QRectF cellRect(int trueClass, int predicted) const;
  std::optional<Cell> cellAt(const QPointF& position) const;
  std::optional<Cell> selectedCell() const { return selected_; }

  // Marks the cell and emits cellClicked, as a click on it does.
  void selectCell(int trueClass, int predicted);
  void clearSelection();

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 Q_SIGNALS:
  void cellClicked(int trueClass, int predicted);

 protected:
  bool event(QEvent* event) override;  // tooltips: the cell under the pointer
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;

 private:
  QRectF matrixRect() const;
  bool showsNames() const;
  void renderImage();
  void paintLabels(QPainter& painter, const QRectF& matrix) const;
  void paintCounts(QPainter& painter, const QRectF& matrix) const;

  int classes_ = 0;
  std::vector<int64_t> confusion_;
  QStringList names_;
  QImage image_;            // one pixel per cell
  mutable QPixmap scaled_;  // image_ at the size last drawn
  std::optional<Cell> selected_;
};

}  // namespace fovea::ui
