// A unit of background work on its own thread, with pause, resume and cancel.
// The work function calls JobControl::checkpoint() often (every batch); that is where a pause
// holds the thread without computing and where a cancel unwinds the work.
#pragma once
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "engine/observer.h"

namespace fovea::engine {

class JobControl {
 public:
  // Blocks while paused; throws JobCancelled once cancel() was called.
  void checkpoint();
  bool cancel_requested() const { return cancel_.load(); }

 private:
  friend class Job;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool paused_ = false;
  std::atomic<bool> cancel_{false};
};

class Job {
 public:
  using Work = std::function<void(JobControl&, JobObserver&)>;

  // The observer must outlive the job.
  Job(Work work, JobObserver& observer);
  ~Job();  // cancels a running job and waits for its thread
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  void start();
  void pause();
  void resume();
  void cancel();
  void wait();  // until the work has returned
  JobState state() const { return state_.load(); }

 private:
  void run();
  void set_state(JobState state);

  Work work_;
  JobObserver& observer_;
  JobControl control_;
  std::atomic<JobState> state_{JobState::Idle};
  std::thread thread_;
};

}  // namespace fovea::engine
