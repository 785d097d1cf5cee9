#include "ui/plot_style.h"

#include "ui/custom_plot.h"

namespace fovea::ui {

void applyPalette(QCustomPlot* plot, const QPalette& palette) {
  const QColor text = palette.color(QPalette::WindowText);
  const QColor grid = palette.color(QPalette::Mid);
  plot->setBackground(palette.brush(QPalette::Base));
  for (QCPAxis* axis : plot->axisRect()->axes()) {
    axis->setBasePen(QPen(text, 1));
    axis->setTickPen(QPen(text, 1));
    axis->setSubTickPen(QPen(text, 1));
    axis->setTickLabelColor(text);
    axis->setLabelColor(text);
    axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
    axis->grid()->setZeroLinePen(QPen(grid, 1));
  }
  for (int i = 0; i < plot->plotLayout()->elementCount(); ++i) {
    if (auto* title = qobject_cast<QCPTextElement*>(plot->plotLayout()->elementAt(i))) title->setTextColor(text);
  }
  plot->legend->setBrush(palette.brush(QPalette::Base));
  plot->legend->setBorderPen(QPen(grid));
  plot->legend->setTextColor(text);
}

}  // namespace fovea::ui
