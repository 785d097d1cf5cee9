#include "ui/classification_details.h"

#include <QKeySequence>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>
#include <algorithm>

#include "ui/top_classes_view.h"

namespace fovea::ui {

namespace {

constexpr int kMinPreviewSide = 160;

}  // namespace

ClassificationDetails::ClassificationDetails(QWidget* parent)
    : QWidget(parent),
      title_(new QLabel(this)),
      preview_(new QLabel(this)),
      topClasses_(new TopClassesView(this)),
      info_(new QLabel(this)),
      error_(new QLabel(this)) {
  QFont titleFont = title_->font();
  titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
  titleFont.setBold(true);
  title_->setFont(titleFont);
  title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  preview_->setAlignment(Qt::AlignCenter);
  preview_->setMinimumSize(kMinPreviewSide, kMinPreviewSide);
  preview_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
  topClasses_->setObjectName(QStringLiteral("topClassesView"));
  info_->setObjectName(QStringLiteral("classificationInfo"));
  info_->setWordWrap(true);
  error_->setObjectName(QStringLiteral("classificationError"));
  error_->setWordWrap(true);
  error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  error_->setStyleSheet(QStringLiteral("color: #c62828;"));

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(title_);
  layout->addWidget(preview_, 1);
  layout->addWidget(topClasses_);
  layout->addWidget(info_);
  layout->addWidget(error_);
  showNothing();
}

void ClassificationDetails::showResult(const QString& title, const ImageClassification& result) {
  title_->setText(title);
  image_ = result.preview;
  updatePreview();
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
  updatePreview();
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

void ClassificationDetails::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  updatePreview();
}

// Never scaled up past twice the preview's size: small images stay recognisably small.
void ClassificationDetails::updatePreview() {
  if (image_.isNull()) {
    preview_->setPixmap({});
    preview_->setText(tr("(no preview)"));
    return;
  }
  const QSize room = preview_->size().boundedTo(image_.size() * 2);
  preview_->setPixmap(QPixmap::fromImage(image_.scaled(room, Qt::KeepAspectRatio, Qt::SmoothTransformation)));
}

}  // namespace fovea::ui
