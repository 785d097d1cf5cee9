// Per-class metrics from a confusion matrix (recall, precision, F1, support) and the table model that
// shows them. Sorting goes through a QSortFilterProxyModel on kSortRole (numbers, not display text).
#pragma once

#include <QAbstractTableModel>
#include <QList>
#include <QString>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fovea::ui {

struct ClassMetrics {
  int index = 0;
  QString name;
  int64_t support = 0;    // images of this class (row sum)
  int64_t predicted = 0;  // images predicted as this class (column sum)
  int64_t correct = 0;    // the diagonal cell
  // 0..1; empty when undefined (no images of the class, nothing predicted as it).
  std::optional<double> recall, precision, f1;
};

// `confusion` is row = true class, column = predicted, num_classes^2; names may be fewer than classes.
QList<ClassMetrics> classMetrics(const std::vector<int64_t>& confusion, int numClasses,
                                 const std::vector<std::string>& classNames);

class ClassMetricsModel final : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { ClassColumn, RecallColumn, PrecisionColumn, F1Column, SupportColumn, ColumnCount };
  static constexpr int kSortRole = Qt::UserRole + 1;
  static constexpr int kClassIndexRole = Qt::UserRole + 2;

  explicit ClassMetricsModel(QObject* parent = nullptr);

  void setMetrics(QList<ClassMetrics> metrics);
  const QList<ClassMetrics>& metrics() const { return metrics_; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

 private:
  QList<ClassMetrics> metrics_;
};

}  // namespace fovea::ui
