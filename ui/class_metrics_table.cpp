#include "ui/class_metrics_table.h"

#include <QLocale>

namespace fovea::ui {

namespace {

std::optional<double> ratio(int64_t part, int64_t whole) {
  if (whole <= 0) return std::nullopt;
  return double(part) / double(whole);
}

QString percentText(const std::optional<double>& value) {
  return value ? QLocale().toString(100.0 * *value, 'f', 2) : QStringLiteral("—");
}

}  // namespace

QList<ClassMetrics> classMetrics(const std::vector<int64_t>& confusion, int numClasses,
                                 const std::vector<std::string>& classNames) {
  QList<ClassMetrics> out;
  if (numClasses <= 0 || confusion.size() != size_t(numClasses) * size_t(numClasses)) return out;
  const auto n = size_t(numClasses);
  std::vector<int64_t> columnSums(n, 0);
  for (size_t t = 0; t < n; ++t)
    for (size_t p = 0; p < n; ++p) columnSums[p] += confusion[t * n + p];
  out.reserve(numClasses);
  for (size_t c = 0; c < n; ++c) {
    ClassMetrics m;
    m.index = int(c);
    m.name = c < classNames.size() ? QString::fromStdString(classNames[c]) : QString::number(c);
    for (size_t p = 0; p < n; ++p) m.support += confusion[c * n + p];
    m.predicted = columnSums[c];
    m.correct = confusion[c * n + c];
    m.recall = ratio(m.correct, m.support);
    m.precision = ratio(m.correct, m.predicted);
    if (m.recall && m.precision)
      m.f1 = *m.recall + *m.precision > 0 ? 2 * *m.recall * *m.precision / (*m.recall + *m.precision) : 0.0;
    out.append(std::move(m));
  }
  return out;
}

ClassMetricsModel::ClassMetricsModel(QObject* parent) : QAbstractTableModel(parent) {}

void ClassMetricsModel::setMetrics(QList<ClassMetrics> metrics) {
  beginResetModel();
  metrics_ = std::move(metrics);
  endResetModel();
}

int ClassMetricsModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(metrics_.size()); }

int ClassMetricsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant ClassMetricsModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= metrics_.size()) return {};
  const ClassMetrics& m = metrics_.at(index.row());
  const auto value = [&](const std::optional<double>& v) { return QVariant(v ? *v : -1.0); };  // undefined sorts last
  if (role == kClassIndexRole) return m.index;
  if (role == Qt::TextAlignmentRole)
    return index.column() == ClassColumn ? QVariant(Qt::AlignLeft | Qt::AlignVCenter) : QVariant(Qt::AlignRight | Qt::AlignVCenter);
  if (role == kSortRole) {
    switch (index.column()) {
      case ClassColumn: return m.name;
      case RecallColumn: return value(m.recall);
      case PrecisionColumn: return value(m.precision);
      case F1Column: return value(m.f1);
      case SupportColumn: return qlonglong(m.support);
    }
  }
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case ClassColumn: return m.name;
      case RecallColumn: return percentText(m.recall);
      case PrecisionColumn: return percentText(m.precision);
      case F1Column: return percentText(m.f1);
      case SupportColumn: return QLocale().toString(qlonglong(m.support));
    }
  }
  if (role == Qt::ToolTipRole) {
    return tr("%1 (class %2): %3 of %4 images right; predicted %5 times")
        .arg(m.name)
        .arg(m.index)
        .arg(m.correct)
        .arg(m.support)
        .arg(m.predicted);
  }
  return {};
}

QVariant ClassMetricsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal) return QAbstractTableModel::headerData(section, orientation, role);
  if (role == Qt::DisplayRole) {
    switch (section) {
      case ClassColumn: return tr("Class");
      case RecallColumn: return tr("Accuracy %");
      case PrecisionColumn: return tr("Precision %");
      case F1Column: return tr("F1 %");
      case SupportColumn: return tr("Images");
    }
  }
  if (role == Qt::ToolTipRole) {
    switch (section) {
      case ClassColumn: return tr("The true class");
      case RecallColumn: return tr("Recall: the share of this class's images predicted as it (top-1)");
      case PrecisionColumn: return tr("The share of the images predicted as this class that are of it");
      case F1Column: return tr("The harmonic mean of accuracy (recall) and precision");
      case SupportColumn: return tr("Support: the evaluated images of this class");
    }
  }
  return {};
}

}  // namespace fovea::ui
