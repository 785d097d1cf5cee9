#include "ui/job_state_text.h"

#include <QCoreApplication>

namespace fovea::ui {

QString jobStateText(engine::JobState state) {
  switch (state) {
    case engine::JobState::Idle: return QCoreApplication::translate("JobState", "Idle");
    case engine::JobState::Running: return QCoreApplication::translate("JobState", "Running");
    case engine::JobState::Paused: return QCoreApplication::translate("JobState", "Paused");
    case engine::JobState::Cancelling: return QCoreApplication::translate("JobState", "Stopping");
    case engine::JobState::Finished: return QCoreApplication::translate("JobState", "Finished");
    case engine::JobState::Cancelled: return QCoreApplication::translate("JobState", "Stopped");
    case engine::JobState::Failed: return QCoreApplication::translate("JobState", "Failed");
  }
  return QCoreApplication::translate("JobState", "Unknown");
}

}  // namespace fovea::ui
