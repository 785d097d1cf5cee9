// One classified image in full: its preview, its top classes as bars, its size and the latency, or
// the reason it could not be classified. With the Grad-CAM toggle on, the preview shows the map the
// page asked for (the model's crop under the heat map) and a line says which class it explains.
#pragma once

#include <QWidget>

#include "ui/classification.h"

class QLabel;
class QToolButton;

namespace fovea::ui {

class TopClassesView;

class ClassificationDetails final : public QWidget {
  Q_OBJECT

 public:
  explicit ClassificationDetails(QWidget* parent = nullptr);

  void showResult(const QString& title, const ImageClassification& result);
  void showPending(const QString& title, const QString& note);
  void showNothing();

  bool isSaliencyOn() const;
  void setSaliencyOn(bool on);
  // While a map is computed, and when it arrives (or cannot be made); cleared by each show*() above.
  void showSaliencyPending(const QString& className);
  void showSaliency(const SaliencyResult& result);

  TopClassesView* topClasses() const { return topClasses_; }
  QToolButton* saliencyButton() const { return saliencyButton_; }
  QString errorText() const;
  QString saliencyText() const;
  // The map shown (the model's input size), null when none is.
  QImage saliencyImage() const { return isSaliencyOn() ? overlay_ : QImage(); }
  QImage previewImage() const;  // what the preview shows, as painted

 Q_SIGNALS:
  void saliencyToggled(bool on);
  void classChosen(qint64 index);  // a bar was clicked

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  void updatePreview();
  QPixmap sharpPixmap(const QImage& image, const QSize& room) const;
  void clearSaliency();

  QLabel* title_;
  QToolButton* saliencyButton_;
  QLabel* preview_;
  QLabel* saliencyNote_;
  TopClassesView* topClasses_;
  QLabel* info_;
  QLabel* error_;
  QImage image_;
  QImage overlay_;
};

}  // namespace fovea::ui
