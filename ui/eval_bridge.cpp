#include "ui/eval_bridge.h"

#include <utility>

namespace fovea::ui {

EvalBridge::EvalBridge(QObject* parent) : QObject(parent) {
  EngineBridge::registerMetaTypes();
  qRegisterMetaType<engine::EvaluationSummary>();
}

template <typename Emit>
void EvalBridge::post(Emit&& emitOnOwnThread) {
  QMetaObject::invokeMethod(this, std::forward<Emit>(emitOnOwnThread), Qt::QueuedConnection);
}

void EvalBridge::on_state(engine::JobState state) {
  post([this, state] { Q_EMIT stateChanged(state); });
}

void EvalBridge::on_progress(const engine::Progress& progress) {
  post([this, progress] { Q_EMIT progressed(progress); });
}

// One copy (the job keeps its own): the page caps the sample count, as the crops can be large.
void EvalBridge::on_predictions(const engine::PredictionSamples& samples) {
  post([this, samples] { Q_EMIT predictionsReported(samples); });
}

void EvalBridge::on_log(log::Level level, const std::string& message) {
  post([this, level, text = QString::fromStdString(message)] { Q_EMIT logged(level, text); });
}

void EvalBridge::on_evaluated(const engine::EvaluationSummary& summary) {
  post([this, summary] { Q_EMIT evaluated(summary); });
}

void EvalBridge::on_failed(const std::string& message) {
  post([this, text = QString::fromStdString(message)] { Q_EMIT failed(text); });
}

}  // namespace fovea::ui
