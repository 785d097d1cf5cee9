// The Classify page's model: the checkpoint in use, the model to build for files without Fovea
// metadata, and what loading said (notes, or the error) in place.
#pragma once

#include <QGroupBox>

#include "ui/classification.h"

class QComboBox;
class QLabel;
class QPushButton;

namespace fovea::ui {

class ModelPanel final : public QGroupBox {
  Q_OBJECT

 public:
  explicit ModelPanel(QWidget* parent = nullptr);

  // The registry name chosen for files without metadata; empty when none is chosen.
  QString chosenModel() const;
  void setChosenModel(const QString& name);
  QComboBox* modelCombo() const { return modelCombo_; }
  QPushButton* openButton() const { return openButton_; }
  QString statusText() const;

  void showLoading(const QString& path);
  void showLoaded(const LoadedModelInfo& info);
  void showFailed(const QString& path, const QString& message);

 Q_SIGNALS:
  void chosenModelChanged(const QString& name);

 private:
  QPushButton* openButton_;
  QLabel* modelLabel_;
  QComboBox* modelCombo_;
  QLabel* status_;
};

}  // namespace fovea::ui
