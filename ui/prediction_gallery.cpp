#include "ui/prediction_gallery.h"

#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QMenu>
#include <QPainter>
#include <QVBoxLayout>
#include <algorithm>

#include "ui/sample_image.h"
#include "ui/theme.h"

namespace fovea::ui {

namespace {

constexpr int kThumbnailSide = 64;
constexpr int kFrameWidth = 3;

QString className(const engine::PredictionSamples& samples, int index) {
  if (index >= 0 && index < int(samples.class_names.size()))
    return QString::fromStdString(samples.class_names[size_t(index)]);
  return QString::number(index);
}

// The image scaled up with visible pixels (the inputs are small) inside a frame of `frame`'s colour.
QPixmap framedThumbnail(const QImage& image, const QColor& frame) {
  const int side = kThumbnailSide + 2 * kFrameWidth;
  QPixmap pixmap(side, side);
  pixmap.fill(frame);
  if (!image.isNull()) {
    QPainter painter(&pixmap);
    const QImage scaled = image.scaled(kThumbnailSide, kThumbnailSide, Qt::KeepAspectRatio,
                                       image.width() < kThumbnailSide ? Qt::FastTransformation : Qt::SmoothTransformation);
    const QRect inner(kFrameWidth, kFrameWidth, kThumbnailSide, kThumbnailSide);
    painter.fillRect(inner, Qt::black);
    painter.drawImage(inner.center() - scaled.rect().center(), scaled);
  }
  return pixmap;
}

}  // namespace

PredictionGallery::PredictionGallery(QWidget* parent)
    : QWidget(parent), title_(new QLabel(this)), list_(new QListWidget(this)) {
  list_->setObjectName(QStringLiteral("predictionList"));
  list_->setViewMode(QListView::IconMode);
  list_->setFlow(QListView::LeftToRight);
  list_->setWrapping(true);
  list_->setResizeMode(QListView::Adjust);
  list_->setMovement(QListView::Static);
  list_->setUniformItemSizes(true);
  list_->setWordWrap(true);
  list_->setSelectionMode(QAbstractItemView::NoSelection);
  list_->setFocusPolicy(Qt::NoFocus);
  const int side = kThumbnailSide + 2 * kFrameWidth;
  list_->setIconSize(QSize(side, side));
  list_->setGridSize(QSize(side + 56, side + 2 * fontMetrics().height() + 12));
  list_->setSpacing(2);
  list_->setContextMenuPolicy(Qt::CustomContextMenu);
  connect(list_, &QListWidget::itemActivated, this,
          [this](QListWidgetItem* item) { Q_EMIT saliencyRequested(list_->row(item)); });
  connect(list_, &QListWidget::customContextMenuRequested, this, &PredictionGallery::showContextMenu);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(title_);
  layout->addWidget(list_, 1);
  clear();
}

void PredictionGallery::clear() {
  list_->clear();
  samples_ = {};
  correct_ = 0;
  title_->setText(tr("Shown after each epoch: test images with their true and predicted classes."));
}

void PredictionGallery::showSamples(const engine::PredictionSamples& samples) {
  list_->clear();
  samples_ = samples;
  correct_ = 0;
  const QLocale locale;
  for (const engine::SamplePrediction& sample : samples.items) {
    const bool correct = sample.correct();
    correct_ += correct ? 1 : 0;
    const QColor color = correct ? successColor(palette()) : errorColor(palette());
    const QString truth = className(samples, sample.label);
    QString predicted = tr("no prediction");
    QString tooltip = tr("Test image %1 · true class: %2").arg(sample.index).arg(truth);
    const size_t ranked = std::min(sample.top_classes.size(), sample.top_probabilities.size());
    if (ranked > 0) {
      predicted = tr("%1 (%2 %)").arg(className(samples, sample.top_classes[0]),
                                     locale.toString(100.0 * sample.top_probabilities[0], 'f', 0));
    }
    for (size_t i = 0; i < ranked; ++i) {
      tooltip += QLatin1Char('\n') + tr("%1. %2 (%3 %)")
                                         .arg(i + 1)
                                         .arg(className(samples, sample.top_classes[i]),
                                              locale.toString(100.0 * sample.top_probabilities[i], 'f', 1));
    }
    auto* item = new QListWidgetItem(QIcon(framedThumbnail(toQImage(sample.image), color)),
                                     tr("%1\n→ %2").arg(truth, predicted), list_);
    item->setForeground(color);
    item->setToolTip(tooltip + QLatin1Char('\n') + tr("Double-click for its Grad-CAM map"));
    item->setTextAlignment(Qt::AlignHCenter | Qt::AlignTop);
  }
  title_->setText(tr("After epoch %1: %2 of %3 correct")
                      .arg(samples.epoch)
                      .arg(correct_)
                      .arg(samples.items.size()));
}

int PredictionGallery::count() const { return list_->count(); }

void PredictionGallery::showContextMenu(const QPoint& position) {
  QListWidgetItem* item = list_->itemAt(position);
  if (!item) return;
  QMenu menu(this);
  QAction* show = menu.addAction(tr("Show Grad-CAM"), this, [this, row = list_->row(item)] { Q_EMIT saliencyRequested(row); });
  show->setToolTip(tr("Where the evidence for the predicted class lies in this image, by the model of this epoch "
                      "(convolutional networks only)"));
  menu.setToolTipsVisible(true);
  menu.exec(list_->viewport()->mapToGlobal(position));
}

}  // namespace fovea::ui
