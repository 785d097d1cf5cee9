// Per-image predictions (engine::PredictionSamples) as a list model that filters (true class,
// right/wrong, one true→predicted pair) and sorts (data set order, confidence, loss) by keeping a list of
// the rows it shows. Thumbnails are made only when a view asks for one, and a bounded cache keeps the
// recent ones, so tens of thousands of items scroll without converting them all.
#pragma once

#include <QAbstractListModel>
#include <QCache>
#include <QPixmap>
#include <optional>
#include <utility>
#include <vector>

#include "engine/observer.h"

namespace fovea::ui {

class PredictionListModel final : public QAbstractListModel {
  Q_OBJECT

 public:
  enum Role {
    ThumbnailRole = Qt::UserRole + 1,  // QPixmap, at most kThumbnailSide on its longer side
    CorrectRole,                       // bool
    ConfidenceRole,                    // double: the top-1 probability
    LossRole,                          // double: cross-entropy of the true class (a lower bound outside the top 5)
    TrueClassRole,                     // int
    PredictedClassRole,                // int, -1 without a prediction
    TrueNameRole,                      // QString
    PredictedNameRole,                 // QString
    ImageIndexRole,                    // qlonglong: position in the evaluated split
  };
  enum class Result { All, Correct, Wrong };
  enum class Order { DataSet, ConfidenceDescending, ConfidenceAscending, LossDescending };
  static constexpr int kThumbnailSide = 72;

  explicit PredictionListModel(QObject* parent = nullptr);

  void setSamples(engine::PredictionSamples samples);
  void clear();
  const engine::PredictionSamples& samples() const { return samples_; }
  int totalCount() const { return int(samples_.items.size()); }
  QString className(int index) const;

  // -1: every class.
  void setTrueClass(int trueClass);
  void setResult(Result result);
  // Only the items of this true class predicted (top-1) as this one; nullopt: no pair filter.
  void setPair(std::optional<std::pair<int, int>> pair);
  void setOrder(Order order);
  int trueClass() const { return trueClass_; }
  Result result() const { return result_; }
  std::optional<std::pair<int, int>> pair() const { return pair_; }
  Order order() const { return order_; }

  const engine::SamplePrediction& sampleAt(int row) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;

 private:
  void rebuild();
  bool accepts(const engine::SamplePrediction& sample) const;
  QPixmap thumbnail(int item) const;
  QString tooltip(const engine::SamplePrediction& sample) const;

  engine::PredictionSamples samples_;
  std::vector<int> rows_;  // indices into samples_.items, in display order
  int trueClass_ = -1;
  Result result_ = Result::All;
  std::optional<std::pair<int, int>> pair_;
  Order order_ = Order::DataSet;
  mutable QCache<int, QPixmap> thumbnails_;
};

// The top-1 class (-1 without one), its probability, and the loss of the true class: -log p(true), or,
// when the true class is outside the top 5, -log of the most it can be (a lower bound).
int predictedClass(const engine::SamplePrediction& sample);
double confidence(const engine::SamplePrediction& sample);
double sampleLoss(const engine::SamplePrediction& sample);

}  // namespace fovea::ui
