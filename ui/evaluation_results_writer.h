// An evaluation's results as files: the per-class table as CSV and the whole summary as JSON. Both are
// written atomically (QSaveFile: a temporary file in the same folder, renamed over the target), so a
// failed write never leaves half a file behind.
#pragma once

#include <QList>
#include <QString>

#include "engine/observer.h"
#include "ui/class_metrics_table.h"

namespace fovea::ui {

// Empty on success, else why the file could not be written.
QString writeClassMetricsCsv(const QString& path, const QList<ClassMetrics>& metrics);
QString writeEvaluationJson(const QString& path, const engine::EvaluationSummary& summary,
                            const QList<ClassMetrics>& metrics);

// The JSON written by writeEvaluationJson (checkpoint, model, data, split, device, acc1/acc5 in percent as
// timm prints them, loss, images, images_per_second, per_class).
QByteArray evaluationJson(const engine::EvaluationSummary& summary, const QList<ClassMetrics>& metrics);

}  // namespace fovea::ui
