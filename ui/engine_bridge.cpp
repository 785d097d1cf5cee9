#include "ui/engine_bridge.h"

#include <utility>

namespace fovea::ui {

EngineBridge::EngineBridge(QObject* parent) : QObject(parent) { registerMetaTypes(); }

void EngineBridge::registerMetaTypes() {
  qRegisterMetaType<engine::JobState>();
  qRegisterMetaType<engine::Progress>();
  qRegisterMetaType<engine::StepMetrics>();
  qRegisterMetaType<engine::EpochMetrics>();
  qRegisterMetaType<engine::PredictionSamples>();
  qRegisterMetaType<engine::TrainSummary>();
  qRegisterMetaType<engine::EvaluationSummary>();
  qRegisterMetaType<log::Level>();
}

// Queued even when called on the bridge's own thread (Job::start/pause/cancel report their state
// there): a slot then always runs after the job has released its lock.
template <typename Emit>
void EngineBridge::post(Emit&& emitOnOwnThread) {
  QMetaObject::invokeMethod(this, std::forward<Emit>(emitOnOwnThread), Qt::QueuedConnection);
}

// A bridge serves one job: a state that arrives after the job's end (a cancel racing the job's own
// end) is stale and not passed on.
void EngineBridge::on_state(engine::JobState state) {
  post([this, state] {
    if (ended_ && !engine::is_terminal(state)) return;
    ended_ = ended_ || engine::is_terminal(state);
    Q_EMIT stateChanged(state);
  });
}

void EngineBridge::on_progress(const engine::Progress& progress) {
  post([this, progress] { Q_EMIT progressed(progress); });
}

void EngineBridge::on_step(const engine::StepMetrics& step) {
  post([this, step] { Q_EMIT stepReported(step); });
}

void EngineBridge::on_epoch(const engine::EpochMetrics& epoch) {
  post([this, epoch] { Q_EMIT epochReported(epoch); });
}

void EngineBridge::on_predictions(const engine::PredictionSamples& samples) {
  post([this, samples] { Q_EMIT predictionsReported(samples); });
}

void EngineBridge::on_log(log::Level level, const std::string& message) {
  post([this, level, text = QString::fromStdString(message)] { Q_EMIT logged(level, text); });
}

void EngineBridge::on_finished(const engine::TrainSummary& summary) {
  post([this, summary] { Q_EMIT finished(summary); });
}

void EngineBridge::on_evaluated(const engine::EvaluationSummary& summary) {
  post([this, summary] { Q_EMIT evaluated(summary); });
}

void EngineBridge::on_failed(const std::string& message) {
  post([this, text = QString::fromStdString(message)] { Q_EMIT failed(text); });
}

}  // namespace fovea::ui
