// The OBS pattern for evaluation jobs: what EngineBridge does for training, plus on_evaluated. Observer
// calls arrive on the job's thread; each copies its data and becomes a signal emitted on the thread the
// bridge lives in (the GUI thread), always queued, so a slot may use the job freely.
#pragma once

#include <QMetaType>
#include <QObject>
#include <QString>

#include "engine/log.h"
#include "engine/observer.h"
#include "ui/engine_bridge.h"

Q_DECLARE_METATYPE(fovea::engine::EvaluationSummary)

namespace fovea::ui {

class EvalBridge final : public QObject, public engine::JobObserver {
  Q_OBJECT

 public:
  explicit EvalBridge(QObject* parent = nullptr);

  void on_state(engine::JobState state) override;
  void on_progress(const engine::Progress& progress) override;
  void on_predictions(const engine::PredictionSamples& samples) override;
  void on_log(log::Level level, const std::string& message) override;
  void on_evaluated(const engine::EvaluationSummary& summary) override;
  void on_failed(const std::string& message) override;

 Q_SIGNALS:
  void stateChanged(fovea::engine::JobState state);
  void progressed(const fovea::engine::Progress& progress);
  void predictionsReported(const fovea::engine::PredictionSamples& samples);
  void logged(fovea::log::Level level, const QString& message);
  void evaluated(const fovea::engine::EvaluationSummary& summary);
  void failed(const QString& message);

 private:
  template <typename Emit>
  void post(Emit&& emitOnOwnThread);
};

}  // namespace fovea::ui
