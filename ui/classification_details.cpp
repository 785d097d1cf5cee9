#include "ui/classification_details.h"

#include <QKeySequence>
#include <QLabel>
#include <QHBoxLayout>
#include <QLocale>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>

#include "ui/top_classes_view.h"
#include "ui/theme.h"

namespace fovea::ui {

namespace {

constexpr int kMinPreviewSide = 160;
// Model inputs are small (32 pixels for CIFAR): the map may grow further than a photo's preview.
constexpr int kMaxSaliencyScale = 8;

}  // namespace

ClassificationDetails::ClassificationDetails(QWidget* parent)
    : QWidget(parent),
      title_(new QLabel(this)),
      saliencyButton_(new QToolButton(this)),
      preview_(new QLabel(this)),
      saliencyNote_(new QLabel(this)),
      topClasses_(new TopClassesView(this)),
      info_(new QLabel(this)),
      error_(new QLabel(this)) {
  QFont titleFont = title_->font();
  titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
  titleFont.setBold(true);
  title_->setFont(titleFont);
  title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  saliencyButton_->setObjectName(QStringLiteral("saliencyButton"));
  saliencyButton_->setText(tr("Grad-CAM"));
  saliencyButton_->setCheckable(true);
  saliencyButton_->setToolButtonStyle(Qt::ToolButtonTextOnly);
  saliencyButton_->setToolTip(tr("Show where the evidence for a class lies: a Grad-CAM heat map over the model's "
                                 "input crop (convolutional networks only). Click a class's bar to explain that class."));
  saliencyNote_->setObjectName(QStringLiteral("saliencyNote"));
  saliencyNote_->setAlignment(Qt::AlignCenter);
  saliencyNote_->setWordWrap(true);
  preview_->setAlignment(Qt::AlignCenter);
  preview_->setMinimumSize(kMinPreviewSide, kMinPreviewSide);
  preview_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
  topClasses_->setObjectName(QStringLiteral("topClassesView"));
  info_->setObjectName(QStringLiteral("classificationInfo"));
  info_->setWordWrap(true);
  error_->setObjectName(QStringLiteral("classificationError"));
  error_->setWordWrap(true);
  error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  showAsError(error_, true);

  auto* header = new QHBoxLayout;
  header->addWidget(title_, 1);
  header->addWidget(saliencyButton_);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(header);
  layout->addWidget(preview_, 1);
  layout->addWidget(saliencyNote_);
  layout->addWidget(topClasses_);
  layout->addWidget(info_);
  layout->addWidget(error_);
  connect(saliencyButton_, &QToolButton::toggled, this, [this](bool on) {
    updatePreview();
    saliencyNote_->setVisible(on && !saliencyNote_->text().isEmpty());
    Q_EMIT saliencyToggled(on);
  });
  connect(topClasses_, &TopClassesView::classClicked, this, &ClassificationDetails::classChosen);
  showNothing();
}

void ClassificationDetails::showResult(const QString& title, const ImageClassification& result) {
  title_->setText(title);
  image_ = result.preview;
  clearSaliency();
  topClasses_->setScores(result.top);
  error_->setText(result.error);
  error_->setVisible(!result.error.isEmpty());
  if (result.error.isEmpty()) {
    const QLocale locale;
    info_->setText(tr("%1 × %2 pixels · %3 · %4 ms")
                       .arg(result.size.width())
                       .arg(result.size.height())
                       .arg(result.model, locale.toString(result.milliseconds, 'f', 1)));
  } else {
    info_->setText(result.size.isValid() ? tr("%1 × %2 pixels").arg(result.size.width()).arg(result.size.height())
                                         : QString());
  }
  info_->setToolTip(result.source);
}

void ClassificationDetails::showPending(const QString& title, const QString& note) {
  title_->setText(title);
  image_ = {};
  clearSaliency();
  topClasses_->setScores({});
  info_->setText(note);
  info_->setToolTip({});
  error_->clear();
  error_->hide();
}

void ClassificationDetails::showNothing() {
  showPending(tr("No image yet"),
              tr("Drop images (or a folder, or a checkpoint) on the window, open them, or paste an image with %1.")
                  .arg(QKeySequence(QKeySequence::Paste).toString(QKeySequence::NativeText)));
}

QString ClassificationDetails::errorText() const { return error_->text(); }

QString ClassificationDetails::saliencyText() const { return saliencyNote_->isHidden() ? QString() : saliencyNote_->text(); }

QImage ClassificationDetails::previewImage() const { return preview_->pixmap().toImage(); }

bool ClassificationDetails::isSaliencyOn() const { return saliencyButton_->isChecked(); }

void ClassificationDetails::setSaliencyOn(bool on) { saliencyButton_->setChecked(on); }

void ClassificationDetails::clearSaliency() {
  overlay_ = {};
  saliencyNote_->clear();
  saliencyNote_->hide();
  topClasses_->setMarkedClass(-1);
  updatePreview();
}

void ClassificationDetails::showSaliencyPending(const QString& className) {
  clearSaliency();
  saliencyNote_->setText(tr("Computing the Grad-CAM map of “%1”…").arg(className));
  saliencyNote_->setVisible(isSaliencyOn());
}

void ClassificationDetails::showSaliency(const SaliencyResult& result) {
  clearSaliency();
  if (result.unsupported) {
    saliencyNote_->setText(tr("Grad-CAM needs a convolutional network (ResNet, airbench94); this model has no "
                              "convolutional feature map."));
  } else if (!result.error.isEmpty()) {
    saliencyNote_->setText(tr("No Grad-CAM map: %1").arg(result.error));
  } else {
    overlay_ = result.overlay;
    topClasses_->setMarkedClass(result.classIndex);
    saliencyNote_->setText(tr("Grad-CAM of “%1” on the model's %2 × %3 input · click a bar to explain another class")
                               .arg(result.className)
                               .arg(result.overlay.width())
                               .arg(result.overlay.height()));
  }
  saliencyNote_->setVisible(isSaliencyOn());
  updatePreview();
}

void ClassificationDetails::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  updatePreview();
}

// The image scaled into `room` (device-independent pixels) at the screen's pixel density, sharp on HiDPI.
QPixmap ClassificationDetails::sharpPixmap(const QImage& image, const QSize& room) const {
  const qreal ratio = devicePixelRatioF();
  QPixmap pixmap = QPixmap::fromImage(image.scaled(room * ratio, Qt::KeepAspectRatio, Qt::SmoothTransformation));
  pixmap.setDevicePixelRatio(ratio);
  return pixmap;
}

// Never scaled up past twice the preview's size: small images stay recognisably small.
void ClassificationDetails::updatePreview() {
  if (isSaliencyOn() && !overlay_.isNull()) {
    preview_->setPixmap(sharpPixmap(overlay_, preview_->size().boundedTo(overlay_.size() * kMaxSaliencyScale)));
    return;
  }
  if (image_.isNull()) {
    preview_->setPixmap({});
    preview_->setText(tr("(no preview)"));
    return;
  }
  preview_->setPixmap(sharpPixmap(image_, preview_->size().boundedTo(image_.size() * 2)));
}

}  // namespace fovea::ui
