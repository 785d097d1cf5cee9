#include "ui/evaluation_results_writer.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QSaveFile>

#include "engine/evaluation_results.h"

namespace fovea::ui {

namespace {

QString tr(const char* text) { return QCoreApplication::translate("EvaluationResultsWriter", text); }

// Undefined metrics are empty fields in CSV and null in JSON; percentages as timm prints accuracies.
QString csvPercent(const std::optional<double>& value) {
  return value ? QString::number(100.0 * *value, 'f', 4) : QString();
}

QJsonValue jsonPercent(const std::optional<double>& value) {
  return value ? QJsonValue(100.0 * *value) : QJsonValue(QJsonValue::Null);
}

QString save(const QString& path, const QByteArray& bytes) {
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly)) return tr("%1: %2").arg(path, file.errorString());
  if (file.write(bytes) != bytes.size() || !file.commit()) return tr("%1: %2").arg(path, file.errorString());
  return {};
}

}  // namespace

QString writeClassMetricsCsv(const QString& path, const QList<ClassMetrics>& metrics) {
  QString text = QStringLiteral("class_index,class,accuracy,precision,f1,support,predicted,correct\n");
  for (const ClassMetrics& m : metrics) {
    text += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8\n")
                .arg(m.index)
                .arg(QString::fromStdString(engine::csv_field(m.name.toStdString())), csvPercent(m.recall), csvPercent(m.precision), csvPercent(m.f1))
                .arg(m.support)
                .arg(m.predicted)
                .arg(m.correct);
  }
  return save(path, text.toUtf8());
}

QByteArray evaluationJson(const engine::EvaluationSummary& summary, const QList<ClassMetrics>& metrics) {
  QJsonArray perClass;
  for (const ClassMetrics& m : metrics) {
    perClass.append(QJsonObject{{QStringLiteral("index"), m.index},
                                {QStringLiteral("class"), m.name},
                                {QStringLiteral("accuracy"), jsonPercent(m.recall)},
                                {QStringLiteral("precision"), jsonPercent(m.precision)},
                                {QStringLiteral("f1"), jsonPercent(m.f1)},
                                {QStringLiteral("support"), qint64(m.support)},
                                {QStringLiteral("predicted"), qint64(m.predicted)},
                                {QStringLiteral("correct"), qint64(m.correct)}});
  }
  const QJsonObject root{
      {QStringLiteral("checkpoint"), QString::fromStdString(summary.checkpoint)},
      {QStringLiteral("model"), QString::fromStdString(summary.model)},
      {QStringLiteral("data"), QString::fromStdString(summary.data)},
      {QStringLiteral("split"), QString::fromStdString(summary.split)},
      {QStringLiteral("device"), QString::fromStdString(summary.device)},
      {QStringLiteral("acc1"), 100.0 * summary.top1},
      {QStringLiteral("acc5"), 100.0 * summary.top5},
      {QStringLiteral("loss"), summary.loss},
      {QStringLiteral("images"), qint64(summary.images)},
      {QStringLiteral("images_per_second"), summary.images_per_second},
      {QStringLiteral("seconds"), summary.seconds},
      {QStringLiteral("num_classes"), summary.num_classes},
      {QStringLiteral("per_class"), perClass},
  };
  return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

QString writeEvaluationJson(const QString& path, const engine::EvaluationSummary& summary,
                            const QList<ClassMetrics>& metrics) {
  return save(path, evaluationJson(summary, metrics));
}

}  // namespace fovea::ui
