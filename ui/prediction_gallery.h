// The test images the engine reports after each epoch, as a grid of thumbnails with the true class,
// the predicted class and its probability: green when right, red when wrong. A double-click (or the
// context menu) asks for an image's Grad-CAM map: the page that knows the model shows it.
#pragma once

#include <QWidget>

#include "engine/observer.h"

class QLabel;
class QListWidget;

namespace fovea::ui {

class PredictionGallery final : public QWidget {
  Q_OBJECT

 public:
  explicit PredictionGallery(QWidget* parent = nullptr);

  void clear();
  void showSamples(const engine::PredictionSamples& samples);

  int count() const;
  int correctCount() const { return correct_; }
  // What is shown: the item in row r of the list is samples().items[r].
  const engine::PredictionSamples& samples() const { return samples_; }
  QListWidget* list() const { return list_; }

 Q_SIGNALS:
  // The Grad-CAM map of the item in this row is wanted.
  void saliencyRequested(int row);

 private:
  void showContextMenu(const QPoint& position);

  QLabel* title_;
  QListWidget* list_;
  engine::PredictionSamples samples_;
  int correct_ = 0;
};

}  // namespace fovea::ui
