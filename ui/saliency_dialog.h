// Grad-CAM of one gallery image for a class (its prediction), in a small window beside the page: the
// image as the model saw it and the heat map over it. Gallery images are already the model's input (an
// evaluation's crop, or a CIFAR/MNIST image at its own size), so they are explained as they are. The
// model loads on first use, on a classifier thread of the dialog's own (ui/classifier.h), and stays
// loaded while the checkpoint does not change.
#pragma once

#include <QDialog>
#include <QImage>

#include "ui/classification.h"

class QLabel;

namespace fovea::ui {

class Classifier;

class SaliencyDialog final : public QDialog {
  Q_OBJECT

 public:
  explicit SaliencyDialog(QWidget* parent = nullptr);
  ~SaliencyDialog() override;

  // The evaluated checkpoint and, for a file without metadata, what the evaluation built from it.
  void setModel(const QString& checkpoint, const ModelRequest& request);
  // Shows the window and computes the map of `classIndex` (named `className` in the data set: a plain
  // checkpoint knows no names) for `image`; `caption` says which image it is.
  void explain(const QImage& image, qint64 classIndex, const QString& className, const QString& caption);
  // Shows the window with `image` and, instead of a map, `message`: why there is no model to explain it
  // with (a training run that writes no checkpoints). A request still on its way is no longer shown.
  void showUnavailable(const QImage& image, const QString& caption, const QString& message);

  bool isBusy() const { return asked_ != 0; }
  QImage overlay() const { return overlay_; }
  QString statusText() const;

 Q_SIGNALS:
  // The map (or why there is none) is shown.
  void explained(const fovea::ui::SaliencyResult& result);

 private:
  void onExplained(const SaliencyResult& result);
  void onLoadFailed(const QString& path, const QString& message);
  void showImages(const QImage& image, const QImage& overlay);

  Classifier* classifier_ = nullptr;  // made on first use
  QString checkpoint_;
  ModelRequest request_;
  bool loadAsked_ = false;  // the classifier holds (or is loading) checkpoint_ as request_
  QString loadError_;
  int nextId_ = 1;
  int asked_ = 0;           // the request shown when it arrives; 0: none on its way
  QString className_;       // of the class asked for
  QImage image_, overlay_;
  QLabel* caption_;
  QLabel* imageView_;
  QLabel* overlayView_;
  QLabel* status_;
};

}  // namespace fovea::ui
