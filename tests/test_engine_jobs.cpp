// Job lifecycle: start, pause, resume, cancel (also mid-work and while paused), failures.
#include <QtTest>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "engine/job.h"

using namespace fovea::engine;
using namespace std::chrono_literals;

namespace {

class RecordingObserver : public JobObserver {
 public:
  void on_state(JobState s) override {
    std::lock_guard lock(mutex);
    states.push_back(s);
  }
  void on_failed(const std::string& m) override {
    std::lock_guard lock(mutex);
    failure = m;
  }
  std::vector<JobState> snapshot() {
    std::lock_guard lock(mutex);
    return states;
  }
  std::mutex mutex;
  std::vector<JobState> states;
  std::string failure;
};

// Work that counts "steps" of 1 ms until it reaches `steps`, checking the control each step.
Job::Work counting_work(std::atomic<int>& counter, int steps) {
  return [&counter, steps](JobControl& control, JobObserver&) {
    for (int i = 0; i < steps; ++i) {
      control.checkpoint();
      std::this_thread::sleep_for(1ms);
      ++counter;
    }
  };
}

bool wait_for(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return condition();
}

}  // namespace

class EngineJobsTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void runsToCompletion() {
    RecordingObserver observer;
    std::atomic<int> counter{0};
    Job job(counting_work(counter, 20), observer);
    QCOMPARE(job.state(), JobState::Idle);
    job.start();
    job.wait();
    QCOMPARE(counter.load(), 20);
    QCOMPARE(job.state(), JobState::Finished);
    const std::vector<JobState> expected = {JobState::Running, JobState::Finished};
    QVERIFY(observer.snapshot() == expected);
  }

  void pauseHoldsAndResumeContinues() {
    RecordingObserver observer;
    std::atomic<int> counter{0};
    Job job(counting_work(counter, 100000), observer);
    job.start();
    QVERIFY(wait_for([&] { return counter.load() > 5; }, 5s));
    job.pause();
    QCOMPARE(job.state(), JobState::Paused);
    std::this_thread::sleep_for(20ms);  // let an in-flight step finish
    const int held = counter.load();
    std::this_thread::sleep_for(100ms);
    QCOMPARE(counter.load(), held);  // no work while paused
    job.resume();
    QCOMPARE(job.state(), JobState::Running);
    QVERIFY(wait_for([&] { return counter.load() > held + 5; }, 5s));
    job.cancel();
    job.wait();
    QCOMPARE(job.state(), JobState::Cancelled);
  }

  void cancelMidWorkIsFast() {
    RecordingObserver observer;
    std::atomic<int> counter{0};
    Job job(counting_work(counter, 1000000), observer);
    job.start();
    QVERIFY(wait_for([&] { return counter.load() > 10; }, 5s));
    const auto t0 = std::chrono::steady_clock::now();
    job.cancel();
    job.wait();
    QVERIFY(std::chrono::steady_clock::now() - t0 < 1s);
    QCOMPARE(job.state(), JobState::Cancelled);
    QVERIFY(counter.load() < 1000000);
    const auto states = observer.snapshot();
    QCOMPARE(states.back(), JobState::Cancelled);
    QVERIFY(std::find(states.begin(), states.end(), JobState::Cancelling) != states.end());
  }

  void terminalStateIsAlwaysLast() {
    // cancel() races with the work noticing it; the terminal state must still be reported last.
    for (int round = 0; round < 200; ++round) {
      RecordingObserver observer;
      std::atomic<int> counter{0};
      Job job(counting_work(counter, 1000000), observer);
      job.start();
      if (round % 2) std::this_thread::sleep_for(std::chrono::microseconds(round * 10));
      job.cancel();
      job.wait();
      QCOMPARE(job.state(), JobState::Cancelled);
      QCOMPARE(observer.snapshot().back(), JobState::Cancelled);
    }
  }

  void cancelWhilePaused() {
    RecordingObserver observer;
    std::atomic<int> counter{0};
    Job job(counting_work(counter, 1000000), observer);
    job.start();
    QVERIFY(wait_for([&] { return counter.load() > 2; }, 5s));
    job.pause();
    job.cancel();
    job.wait();
    QCOMPARE(job.state(), JobState::Cancelled);
  }

  void exceptionIsReportedAsFailure() {
    RecordingObserver observer;
    Job job([](JobControl&, JobObserver&) { throw std::runtime_error("broken data set /x/y"); }, observer);
    job.start();
    job.wait();
    QCOMPARE(job.state(), JobState::Failed);
    QCOMPARE(QString::fromStdString(observer.failure), QStringLiteral("broken data set /x/y"));
  }

  void destroyingARunningJobCancelsIt() {
    RecordingObserver observer;
    std::atomic<int> counter{0};
    {
      Job job(counting_work(counter, 1000000), observer);
      job.start();
      QVERIFY(wait_for([&] { return counter.load() > 2; }, 5s));
    }
    QCOMPARE(observer.snapshot().back(), JobState::Cancelled);
  }

  void controlsAreIgnoredInTheWrongState() {
    RecordingObserver observer;
    std::atomic<int> counter{0};
    Job job(counting_work(counter, 3), observer);
    job.pause();   // not started: nothing happens
    job.resume();
    job.cancel();
    QCOMPARE(job.state(), JobState::Idle);
    job.start();
    job.wait();
    job.pause();   // finished: stays finished
    QCOMPARE(job.state(), JobState::Finished);
  }
};

QTEST_GUILESS_MAIN(EngineJobsTest)
#include "test_engine_jobs.moc"
