#include "ui/prediction_list_model.h"

#include <QLocale>
#include <algorithm>
#include <cmath>

#include "ui/sample_image.h"

namespace fovea::ui {

namespace {

constexpr int kCachedThumbnails = 1500;  // a few screens full
constexpr double kSmallestProbability = 1e-12;

}  // namespace

int predictedClass(const engine::SamplePrediction& sample) {
  return sample.top_classes.empty() ? -1 : sample.top_classes.front();
}

double confidence(const engine::SamplePrediction& sample) {
  return sample.top_probabilities.empty() ? 0.0 : double(sample.top_probabilities.front());
}

double sampleLoss(const engine::SamplePrediction& sample) {
  const size_t ranked = std::min(sample.top_classes.size(), sample.top_probabilities.size());
  double listed = 0, smallest = 1;
  for (size_t i = 0; i < ranked; ++i) {
    if (sample.top_classes[i] == sample.label)
      return -std::log(std::max(double(sample.top_probabilities[i]), kSmallestProbability));
    listed += sample.top_probabilities[i];
    smallest = std::min(smallest, double(sample.top_probabilities[i]));
  }
  const double most = std::min(smallest, std::max(0.0, 1.0 - listed));
  return -std::log(std::max(most, kSmallestProbability));
}

PredictionListModel::PredictionListModel(QObject* parent) : QAbstractListModel(parent), thumbnails_(kCachedThumbnails) {}

void PredictionListModel::setSamples(engine::PredictionSamples samples) {
  samples_ = std::move(samples);
  thumbnails_.clear();
  rebuild();
}

void PredictionListModel::clear() { setSamples({}); }

QString PredictionListModel::className(int index) const {
  if (index >= 0 && size_t(index) < samples_.class_names.size())
    return QString::fromStdString(samples_.class_names[size_t(index)]);
  return index < 0 ? tr("none") : QString::number(index);
}

void PredictionListModel::setTrueClass(int trueClass) {
  if (trueClass == trueClass_) return;
  trueClass_ = trueClass;
  rebuild();
}

void PredictionListModel::setResult(Result result) {
  if (result == result_) return;
  result_ = result;
  rebuild();
}

void PredictionListModel::setPair(std::optional<std::pair<int, int>> pair) {
  if (pair == pair_) return;
  pair_ = pair;
  rebuild();
}

void PredictionListModel::setOrder(Order order) {
  if (order == order_) return;
  order_ = order;
  rebuild();
}

bool PredictionListModel::accepts(const engine::SamplePrediction& sample) const {
  if (trueClass_ >= 0 && sample.label != trueClass_) return false;
  if (result_ == Result::Correct && !sample.correct()) return false;
  if (result_ == Result::Wrong && sample.correct()) return false;
  if (pair_ && (sample.label != pair_->first || predictedClass(sample) != pair_->second)) return false;
  return true;
}

void PredictionListModel::rebuild() {
  beginResetModel();
  rows_.clear();
  const auto& items = samples_.items;
  for (int i = 0; i < int(items.size()); ++i)
    if (accepts(items[size_t(i)])) rows_.push_back(i);
  const auto by = [&](auto key, bool descending) {
    std::stable_sort(rows_.begin(), rows_.end(), [&](int a, int b) {
      const double ka = key(items[size_t(a)]), kb = key(items[size_t(b)]);
      return descending ? ka > kb : ka < kb;
    });
  };
  switch (order_) {
    case Order::DataSet: break;  // the engine reports them in data set order
    case Order::ConfidenceDescending: by(confidence, true); break;
    case Order::ConfidenceAscending: by(confidence, false); break;
    case Order::LossDescending: by(sampleLoss, true); break;
  }
  endResetModel();
}

const engine::SamplePrediction& PredictionListModel::sampleAt(int row) const {
  return samples_.items.at(size_t(rows_.at(size_t(row))));
}

int PredictionListModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(rows_.size()); }

QPixmap PredictionListModel::thumbnail(int item) const {
  if (const QPixmap* cached = thumbnails_.object(item)) return *cached;
  const QImage image = toQImage(samples_.items[size_t(item)].image);
  QPixmap pixmap;
  if (!image.isNull()) {
    // Small crops (CIFAR, MNIST) are shown with visible pixels; large ones smoothly reduced.
    const bool small = std::max(image.width(), image.height()) < kThumbnailSide;
    pixmap = QPixmap::fromImage(image.scaled(kThumbnailSide, kThumbnailSide, Qt::KeepAspectRatio,
                                             small ? Qt::FastTransformation : Qt::SmoothTransformation));
  }
  thumbnails_.insert(item, new QPixmap(pixmap));
  return pixmap;
}

QString PredictionListModel::tooltip(const engine::SamplePrediction& sample) const {
  const QLocale locale;
  QString text = tr("Image %1 · true class: %2").arg(sample.index).arg(className(sample.label));
  const size_t ranked = std::min(sample.top_classes.size(), sample.top_probabilities.size());
  for (size_t i = 0; i < ranked; ++i) {
    text += QLatin1Char('\n') + tr("%1. %2 (%3 %)")
                                    .arg(i + 1)
                                    .arg(className(sample.top_classes[i]),
                                         locale.toString(100.0 * sample.top_probabilities[i], 'f', 1));
  }
  const bool listed = std::find(sample.top_classes.begin(), sample.top_classes.end(), sample.label) != sample.top_classes.end();
  text += QLatin1Char('\n') + (listed ? tr("Loss: %1") : tr("Loss: at least %1")).arg(locale.toString(sampleLoss(sample), 'f', 3));
  return text;
}

QVariant PredictionListModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= int(rows_.size())) return {};
  const int item = rows_[size_t(index.row())];
  const engine::SamplePrediction& sample = samples_.items[size_t(item)];
  switch (role) {
    case Qt::DisplayRole: return tr("%1 → %2").arg(className(sample.label), className(predictedClass(sample)));
    case Qt::ToolTipRole: return tooltip(sample);
    case ThumbnailRole: return thumbnail(item);
    case CorrectRole: return sample.correct();
    case ConfidenceRole: return confidence(sample);
    case LossRole: return sampleLoss(sample);
    case TrueClassRole: return sample.label;
    case PredictedClassRole: return predictedClass(sample);
    case TrueNameRole: return className(sample.label);
    case PredictedNameRole: return className(predictedClass(sample));
    case ImageIndexRole: return qlonglong(sample.index);
    default: return {};
  }
}

}  // namespace fovea::ui
