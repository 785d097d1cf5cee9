// Starts N data-parallel worker processes on this machine, as `torchrun --nproc-per-node N` does: each
// gets RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR=127.0.0.1 and a free MASTER_PORT. The
// launcher forwards their error output, stops them all when asked, and ends the run as soon as one fails:
// the others are stopped (SIGTERM, then SIGKILL after a grace period) and the failing rank's last error
// line becomes the run's message. Plain POSIX, no LibTorch and no Qt: fovea-cli and the GUI both use it.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fovea::engine {

struct LaunchRequest {
  std::string program;                 // the worker executable (e.g. fovea-cli)
  std::vector<std::string> arguments;  // its arguments, without argv[0]
  int processes = 2;
  std::string master_addr = "127.0.0.1";
  uint16_t master_port = 0;            // 0: a free port on master_addr
  std::vector<std::pair<std::string, std::string>> environment;  // more variables for every worker
  // Each piece of a worker's standard error as it comes (rank, text). Default: rank 0's passes through
  // unchanged, the others' lines go to this process's standard error prefixed with "[rank R] ".
  std::function<void(int rank, const std::string& text)> on_output;
  std::chrono::milliseconds grace{10000};  // from SIGTERM to SIGKILL when stopping
};

struct LaunchOutcome {
  int exit_code = 0;      // 0 when every worker finished; else the failing rank's code (128 + signal), 130 when stopped
  int failed_rank = -1;   // the first rank that failed, -1 when none did
  std::string message;    // for people: which rank failed and its last error line; "stopped"; empty on success
};

class LocalLauncher {
 public:
  explicit LocalLauncher(LaunchRequest request);
  ~LocalLauncher();  // kills workers still running and reaps them
  LocalLauncher(const LocalLauncher&) = delete;
  LocalLauncher& operator=(const LocalLauncher&) = delete;

  // Starts the workers. Throws engine::Error (ConfigError for a bad request) naming what failed.
  void start();
  // Forwards output and notices exits for up to `wait`; the outcome once every worker has ended.
  std::optional<LaunchOutcome> poll(std::chrono::milliseconds wait);
  // Asks every worker to stop (SIGTERM; SIGKILL once the grace period is over). poll() reports 130.
  void stop();
  // Ends every worker at once (SIGKILL).
  void kill();
  uint16_t master_port() const { return port_; }
  std::vector<pid_t> pids() const;

 private:
  struct Worker {
    int rank = 0;
    pid_t pid = -1;
    int err_fd = -1;          // read end of its standard error
    bool running = false;
    int status = 0;           // waitpid's
    std::string line;         // the unfinished line of its output
    std::string last_error;   // its last non-empty line
  };
  void forward(Worker& w, const char* data, size_t size);
  bool reap_one(Worker& w);  // true when it has just ended
  void reap();
  void signal_all(int signal);
  LaunchOutcome outcome() const;

  LaunchRequest request_;
  std::vector<Worker> workers_;
  uint16_t port_ = 0;
  bool stopping_ = false, killed_ = false;
  int failed_rank_ = -1;
  std::chrono::steady_clock::time_point stop_since_{};
};

// A TCP port on `address` that was free a moment ago (bound to port 0 and released).
uint16_t free_tcp_port(const std::string& address);

// Runs the workers to their end: `stop_requested` is polled (a signal flag); a second request kills them.
LaunchOutcome run_local_workers(LaunchRequest request, const std::function<int()>& stop_requests);

}  // namespace fovea::engine
