// The test images the engine reports after each epoch, as a grid of thumbnails with the true class,
// the predicted class and its probability: green when right, red when wrong.
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

 private:
  QLabel* title_;
  QListWidget* list_;
  int correct_ = 0;
};

}  // namespace fovea::ui
