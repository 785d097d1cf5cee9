// One classified image in full: its preview, its top classes as bars, its size and the latency, or
// the reason it could not be classified.
#pragma once

#include <QWidget>

#include "ui/classification.h"

class QLabel;

namespace fovea::ui {

class TopClassesView;

class ClassificationDetails final : public QWidget {
  Q_OBJECT

 public:
  explicit ClassificationDetails(QWidget* parent = nullptr);

  void showResult(const QString& title, const ImageClassification& result);
  void showPending(const QString& title, const QString& note);
  void showNothing();

  TopClassesView* topClasses() const { return topClasses_; }
  QString errorText() const;

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  void updatePreview();

  QLabel* title_;
  QLabel* preview_;
  TopClassesView* topClasses_;
  QLabel* info_;
  QLabel* error_;
  QImage image_;
};

}  // namespace fovea::ui
