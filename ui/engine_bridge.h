// The OBS pattern: a JobObserver whose calls (on the engine's job thread) become Qt signals emitted on
// the thread the bridge lives in (the GUI thread). Every call copies its data and posts it; the bridge
// never touches a widget and never calls back into the job, so a slot may freely use the job (even when
// the job reported a state change while holding its own lock).
#pragma once

#include <QMetaType>
#include <QObject>
#include <QString>

#include "engine/log.h"
#include "engine/observer.h"

Q_DECLARE_METATYPE(fovea::engine::JobState)
Q_DECLARE_METATYPE(fovea::engine::Progress)
Q_DECLARE_METATYPE(fovea::engine::StepMetrics)
Q_DECLARE_METATYPE(fovea::engine::EpochMetrics)
Q_DECLARE_METATYPE(fovea::engine::PredictionSamples)
Q_DECLARE_METATYPE(fovea::engine::TrainSummary)
Q_DECLARE_METATYPE(fovea::engine::EvaluationSummary)
Q_DECLARE_METATYPE(fovea::log::Level)

namespace fovea::ui {

// A bridge serves one job at a time: states reported after the job's end are dropped as stale.
class EngineBridge final : public QObject, public engine::JobObserver {
  Q_OBJECT

 public:
  explicit EngineBridge(QObject* parent = nullptr);

  // Before a bridge is reused for another job: that job's states are all passed on again.
  void beginJob() { ended_ = false; }

  // Makes the engine types known to Qt's meta-type system (queued connections, QVariant, QSignalSpy).
  static void registerMetaTypes();

  void on_state(engine::JobState state) override;
  void on_progress(const engine::Progress& progress) override;
  void on_step(const engine::StepMetrics& step) override;
  void on_epoch(const engine::EpochMetrics& epoch) override;
  void on_predictions(const engine::PredictionSamples& samples) override;
  void on_log(log::Level level, const std::string& message) override;
  void on_finished(const engine::TrainSummary& summary) override;
  void on_evaluated(const engine::EvaluationSummary& summary) override;
  void on_failed(const std::string& message) override;

 Q_SIGNALS:
  void stateChanged(fovea::engine::JobState state);
  void progressed(const fovea::engine::Progress& progress);
  void stepReported(const fovea::engine::StepMetrics& step);
  void epochReported(const fovea::engine::EpochMetrics& epoch);
  void predictionsReported(const fovea::engine::PredictionSamples& samples);
  void logged(fovea::log::Level level, const QString& message);
  void finished(const fovea::engine::TrainSummary& summary);
  void evaluated(const fovea::engine::EvaluationSummary& summary);
  void failed(const QString& message);

 private:
  template <typename Emit>
  void post(Emit&& emitOnOwnThread);

  bool ended_ = false;  // the job reached a terminal state (read and written on the bridge's thread only)
};

}  // namespace fovea::ui
