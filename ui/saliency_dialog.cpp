#include "ui/saliency_dialog.h"

#include <QDialogButtonBox>
#include <QGridLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <algorithm>

#include "ui/classifier.h"

namespace fovea::ui {

namespace {

constexpr int kSide = 256;

// Small inputs (32 pixels) grow by whole steps with their pixels visible, as in the gallery.
QPixmap shown(const QImage& image) {
  if (image.isNull()) return {};
  const int longer = std::max(image.width(), image.height());
  if (longer >= kSide) return QPixmap::fromImage(image.scaled(kSide, kSide, Qt::KeepAspectRatio, Qt::SmoothTransformation));
  const int factor = kSide / longer;
  return QPixmap::fromImage(image.scaled(image.size() * factor, Qt::KeepAspectRatio, Qt::FastTransformation));
}

QLabel* imageLabel(const QString& objectName, QWidget* parent) {
  auto* label = new QLabel(parent);
  label->setObjectName(objectName);
  label->setAlignment(Qt::AlignCenter);
  label->setMinimumSize(kSide, kSide);
  label->setFrameShape(QFrame::StyledPanel);
  return label;
}

}  // namespace

SaliencyDialog::SaliencyDialog(QWidget* parent)
    : QDialog(parent),
      caption_(new QLabel(this)),
      imageView_(imageLabel(QStringLiteral("saliencyImage"), this)),
      overlayView_(imageLabel(QStringLiteral("saliencyOverlay"), this)),
      status_(new QLabel(this)) {
  setWindowTitle(tr("Grad-CAM"));
  caption_->setObjectName(QStringLiteral("saliencyCaption"));
  caption_->setWordWrap(true);
  caption_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  status_->setObjectName(QStringLiteral("saliencyStatus"));
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  imageView_->setToolTip(tr("The image as the model saw it"));
  overlayView_->setToolTip(tr("Grad-CAM: red where the evidence for the class lies, blue where there is none"));

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* images = new QGridLayout;
  images->addWidget(imageView_, 0, 0);
  images->addWidget(overlayView_, 0, 1);
  images->addWidget(new QLabel(tr("Model input"), this), 1, 0, Qt::AlignHCenter);
  images->addWidget(new QLabel(tr("Grad-CAM"), this), 1, 1, Qt::AlignHCenter);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(caption_);
  layout->addLayout(images);
  layout->addWidget(status_);
  layout->addWidget(buttons);
}

SaliencyDialog::~SaliencyDialog() = default;  // the classifier (a child) drops queued work and waits

void SaliencyDialog::setModel(const QString& checkpoint, const ModelRequest& request) {
  if (checkpoint == checkpoint_ && request == request_) return;
  checkpoint_ = checkpoint;
  request_ = request;
  loadAsked_ = false;
}

void SaliencyDialog::explain(const QImage& image, qint64 classIndex, const QString& className, const QString& caption) {
  if (!classifier_) {
    classifier_ = new Classifier(this);
    connect(classifier_, &Classifier::explained, this, &SaliencyDialog::onExplained);
    connect(classifier_, &Classifier::loadFailed, this, &SaliencyDialog::onLoadFailed);
  }
  // Queued on the classifier's thread: the explanation waits for the load before it.
  if (!loadAsked_) {
    loadError_.clear();
    classifier_->load(checkpoint_, request_);
    loadAsked_ = true;
  }
  asked_ = nextId_++;
  className_ = classIndex >= 0 ? className : QString();
  classifier_->explainCrop(asked_, checkpoint_, image, classIndex);
  caption_->setText(caption);
  showImages(image, {});
  status_->setText(tr("Computing the Grad-CAM map…"));
  show();
  raise();
}

void SaliencyDialog::showUnavailable(const QImage& image, const QString& caption, const QString& message) {
  asked_ = 0;
  caption_->setText(caption);
  showImages(image, {});
  overlayView_->setText(tr("No map"));
  status_->setText(message);
  show();
  raise();
}

QString SaliencyDialog::statusText() const { return status_->text(); }

void SaliencyDialog::onLoadFailed(const QString&, const QString& message) {
  loadAsked_ = false;  // the next request tries again
  loadError_ = message;
}

void SaliencyDialog::onExplained(const SaliencyResult& result) {
  if (result.id != asked_) return;  // another image was asked for since
  asked_ = 0;
  if (result.unsupported) {
    status_->setText(tr("Grad-CAM needs a convolutional network (ResNet, airbench94); this model has no "
                        "convolutional feature map."));
  } else if (!result.error.isEmpty()) {
    status_->setText(loadError_.isEmpty() ? result.error : result.error + QLatin1Char('\n') + loadError_);
  } else {
    showImages(result.crop, result.overlay);
    const QString name = className_.isEmpty() ? result.className : className_;
    status_->setText(tr("The evidence for “%1”, from the last convolutional feature map.").arg(name));
  }
  Q_EMIT explained(result);
}

void SaliencyDialog::showImages(const QImage& image, const QImage& overlay) {
  image_ = image;
  overlay_ = overlay;
  imageView_->setPixmap(shown(image));
  overlayView_->setPixmap(shown(overlay));
  if (overlay.isNull()) overlayView_->setText(tr("…"));
}

}  // namespace fovea::ui
