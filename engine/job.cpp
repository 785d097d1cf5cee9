#include "engine/job.h"

#include <exception>

#include "engine/errors.h"

namespace fovea::engine {

const char* job_state_name(JobState state) {
  switch (state) {
    case JobState::Idle: return "idle";
    case JobState::Running: return "running";
    case JobState::Paused: return "paused";
    case JobState::Cancelling: return "cancelling";
    case JobState::Finished: return "finished";
    case JobState::Cancelled: return "cancelled";
    case JobState::Failed: return "failed";
  }
  return "unknown";
}

bool is_terminal(JobState state) {
  return state == JobState::Finished || state == JobState::Cancelled || state == JobState::Failed;
}

void JobControl::checkpoint() {
  if (cancel_.load()) throw JobCancelled{};
  std::unique_lock lock(mutex_);
  wake_.wait(lock, [this] { return !paused_ || cancel_.load(); });
  if (cancel_.load()) throw JobCancelled{};
}

Job::Job(Work work, JobObserver& observer) : work_(std::move(work)), observer_(observer) {}

Job::~Job() {
  cancel();
  wait();
}

void Job::start() {
  if (thread_.joinable() || state() != JobState::Idle) return;
  set_state(JobState::Running);
  thread_ = std::thread([this] { run(); });
}

void Job::pause() {
  std::lock_guard lock(control_.mutex_);
  if (state() != JobState::Running) return;
  control_.paused_ = true;
  set_state(JobState::Paused);
}

void Job::resume() {
  {
    std::lock_guard lock(control_.mutex_);
    if (state() != JobState::Paused) return;
    control_.paused_ = false;
    set_state(JobState::Running);
  }
  control_.wake_.notify_all();
}

void Job::cancel() {
  {
    std::lock_guard lock(control_.mutex_);
    const JobState s = state();
    if (s != JobState::Running && s != JobState::Paused) return;
    control_.cancel_ = true;
    control_.paused_ = false;
    set_state(JobState::Cancelling);
  }
  control_.wake_.notify_all();
}

void Job::wait() {
  if (thread_.joinable()) thread_.join();
}

void Job::run() {
  JobState outcome = JobState::Finished;
  try {
    work_(control_, observer_);
    if (control_.cancel_requested()) outcome = JobState::Cancelled;
  } catch (const JobCancelled&) {
    outcome = JobState::Cancelled;
  } catch (const std::exception& e) {
    const std::string message = e.what();
    log::error(message);
    observer_.on_failed(message);
    outcome = JobState::Failed;
  } catch (...) {
    observer_.on_failed("unknown error");
    outcome = JobState::Failed;
  }
  // Under the controls' lock, so that a concurrent cancel() or pause() reports its state first and
  // the terminal state is always the last one observers see.
  std::lock_guard lock(control_.mutex_);
  set_state(outcome);
}

void Job::set_state(JobState state) {
  state_.store(state);
  observer_.on_state(state);
}

}  // namespace fovea::engine
