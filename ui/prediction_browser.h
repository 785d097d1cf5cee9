// Browsing per-image predictions: a grid of thumbnails (QListView over a PredictionListModel, painted
// by PredictionDelegate) with filters (true class, right/wrong, one true→predicted pair chosen in the
// confusion matrix) and an order (data set, confidence, loss); "Most confident mistakes" in one click.
// A double-click (or the context menu) asks for an image's Grad-CAM map: the page that knows the model
// shows it.
#pragma once

#include <QWidget>
#include <optional>
#include <utility>

#include "engine/observer.h"

class QComboBox;
class QLabel;
class QListView;
class QPushButton;

namespace fovea::ui {

class PredictionListModel;

class PredictionBrowser final : public QWidget {
  Q_OBJECT

 public:
  explicit PredictionBrowser(QWidget* parent = nullptr);

  void setSamples(const engine::PredictionSamples& samples);
  void clear();

  // Only the images of `trueClass` predicted as `predicted` (the other filters are reset).
  void showPair(int trueClass, int predicted);
  void clearPair();
  // The wrong predictions, most confident first.
  void showMostConfidentMistakes();

  PredictionListModel* model() const { return model_; }
  QListView* view() const { return view_; }
  QComboBox* classFilter() const { return classCombo_; }
  QComboBox* resultFilter() const { return resultCombo_; }
  QComboBox* orderCombo() const { return orderCombo_; }
  QPushButton* mistakesButton() const { return mistakesButton_; }
  int count() const;  // items shown
  QString summaryText() const;

 Q_SIGNALS:
  // The true→predicted filter was left (another filter chosen, "Show all", new samples).
  void pairCleared();
  // The Grad-CAM map of the item in this row of model() is wanted.
  void saliencyRequested(int row);

 private:
  void applyFilters();
  void updateSummary();
  void showContextMenu(const QPoint& position);

  PredictionListModel* model_;
  QListView* view_;
  QComboBox* classCombo_;
  QComboBox* resultCombo_;
  QComboBox* orderCombo_;
  QPushButton* mistakesButton_;
  QLabel* pairLabel_;
  QPushButton* clearPairButton_;
  QLabel* summary_;
  bool showedPair_ = false;
};

}  // namespace fovea::ui
