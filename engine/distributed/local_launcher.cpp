#include "engine/distributed/local_launcher.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <thread>

#include "engine/errors.h"

extern char** environ;

namespace fovea::engine {
namespace {

std::string errno_text() { return std::strerror(errno); }

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) return std::string("was killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
                                  strsignal(WTERMSIG(status)) + ")";
  return "exited with code " + std::to_string(exit_code_of(status));
}

void default_output(int rank, const std::string& text) {
  if (rank == 0) {
    std::fwrite(text.data(), 1, text.size(), stderr);
  } else {
    const std::string line = "[rank " + std::to_string(rank) + "] " + text;
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  std::fflush(stderr);
}

// The environment of worker `rank`: this process's, without the variables of another launch, plus the
// rendezvous and the request's own.
std::vector<std::string> worker_environment(const LaunchRequest& r, int rank, uint16_t port) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    const size_t eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const char* stale : {"TORCHELASTIC_USE_AGENT_STORE", "TORCHELASTIC_RESTART_COUNT", "GROUP_RANK"}) env.erase(stale);
  env["MASTER_ADDR"] = r.master_addr;
  env["MASTER_PORT"] = std::to_string(port);
  env["WORLD_SIZE"] = env["LOCAL_WORLD_SIZE"] = std::to_string(r.processes);
  env["RANK"] = env["LOCAL_RANK"] = std::to_string(rank);
  // As torchrun: the cores are shared, not each taken by every worker.
  if (!env.count("OMP_NUM_THREADS")) {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    env["OMP_NUM_THREADS"] = std::to_string(std::max(1u, cores / static_cast<unsigned>(r.processes)));
  }
  for (const auto& [name, value] : r.environment) env[name] = value;
  std::vector<std::string> out;
  for (const auto& [name, value] : env) out.push_back(name + "=" + value);
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> p;
  for (std::string& s : strings) p.push_back(s.data());
  p.push_back(nullptr);
  return p;
}

}  // namespace

uint16_t free_tcp_port(const std::string& address) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw Error("cannot open a socket to find a free port: " + errno_text());
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  if (::inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1) {
    ::close(fd);
    throw ConfigError("'" + address + "' is not an IPv4 address to launch workers on");
  }
  socklen_t length = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    const std::string why = errno_text();
    ::close(fd);
    throw Error("cannot find a free port on " + address + ": " + why);
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

LocalLauncher::LocalLauncher(LaunchRequest request) : request_(std::move(request)) {
  if (!request_.on_output) request_.on_output = default_output;
}

LocalLauncher::~LocalLauncher() {
  if (!workers_.empty()) {
    kill();
    while (!poll(std::chrono::milliseconds(100))) {
    }
  }
}

void LocalLauncher::start() {
  if (request_.processes < 1 || request_.processes > 1024)
    throw ConfigError("cannot launch " + std::to_string(request_.processes) + " worker processes (1 to 1024)");
  if (!workers_.empty()) throw Error("the workers were already started");
  port_ = request_.master_port ? request_.master_port : free_tcp_port(request_.master_addr);
  for (int rank = 0; rank < request_.processes; ++rank) {
    std::vector<std::string> args{request_.program};
    args.insert(args.end(), request_.arguments.begin(), request_.arguments.end());
    std::vector<std::string> env = worker_environment(request_, rank, port_);
    std::vector<char*> argv = pointers(args), envp = pointers(env);
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
      kill();
      throw Error("cannot create a pipe for worker " + std::to_string(rank) + ": " + errno_text());
    }
    const pid_t parent = ::getpid();
    // Signals wait until the child has dropped this process's handlers: between fork and exec it is a
    // copy of this process, whose handlers must not run there.
    sigset_t all, previous;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &previous);
    const pid_t pid = ::fork();
    if (pid != 0) ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    if (pid < 0) {
      const std::string why = errno_text();
      ::close(pipe_fds[0]);
      ::close(pipe_fds[1]);
      kill();
      throw Error("cannot start worker " + std::to_string(rank) + ": " + why);
    }
    if (pid == 0) {  // the child: only async-signal-safe calls until exec
      for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
      ::sigprocmask(SIG_SETMASK, &previous, nullptr);
      ::setpgid(0, 0);  // the terminal's Ctrl-C reaches the launcher alone, which stops the workers
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // and a launcher that dies takes its workers along
      if (::getppid() != parent) ::_exit(1);
      ::dup2(pipe_fds[1], STDERR_FILENO);
      ::execve(argv[0], argv.data(), envp.data());
      const char message[] = "fovea: cannot execute the worker program\n";
      (void)!::write(STDERR_FILENO, message, sizeof message - 1);
      ::_exit(127);
    }
    ::close(pipe_fds[1]);
    Worker w;
    w.rank = rank;
    w.pid = pid;
    w.err_fd = pipe_fds[0];
    w.running = true;
    workers_.push_back(std::move(w));
  }
}

void LocalLauncher::forward(Worker& w, const char* data, size_t size) {
  request_.on_output(w.rank, std::string(data, size));
  // Remember the last complete non-empty line (progress lines rewritten with \r count as lines too).
  for (size_t i = 0; i < size; ++i) {
    const char c = data[i];
    if (c == '\n' || c == '\r') {
      if (w.line.find_first_not_of(" \t") != std::string::npos) w.last_error = w.line;
      w.line.clear();
    } else if (w.line.size() < 4096) {
      w.line += c;
    }
  }
}

bool LocalLauncher::reap_one(Worker& w) {
  if (!w.running) return false;
  int status = 0;
  if (::waitpid(w.pid, &status, WNOHANG) != w.pid) return false;
  w.running = false;
  w.status = status;
  const bool failed = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  if (failed && failed_rank_ < 0 && !stopping_) {
    failed_rank_ = w.rank;  // the first failure ends the run: the others are stopped
    stop();
  }
  return true;
}

void LocalLauncher::reap() {
  for (Worker& w : workers_) reap_one(w);
}

void LocalLauncher::signal_all(int signal) {
  for (const Worker& w : workers_)
    if (w.running && w.pid > 0) ::kill(w.pid, signal);
}

void LocalLauncher::stop() {
  if (stopping_) return;
  stopping_ = true;
  stop_since_ = std::chrono::steady_clock::now();
  signal_all(SIGTERM);
}

void LocalLauncher::kill() {
  stopping_ = killed_ = true;
  signal_all(SIGKILL);
}

std::vector<pid_t> LocalLauncher::pids() const {
  std::vector<pid_t> out;
  for (const Worker& w : workers_) out.push_back(w.pid);
  return out;
}

std::optional<LaunchOutcome> LocalLauncher::poll(std::chrono::milliseconds wait) {
  std::vector<pollfd> fds;
  std::vector<Worker*> owners;
  for (Worker& w : workers_)
    if (w.err_fd >= 0) {
      fds.push_back({w.err_fd, POLLIN, 0});
      owners.push_back(&w);
    }
  if (!fds.empty()) {
    if (::poll(fds.data(), fds.size(), static_cast<int>(wait.count())) > 0) {
      for (size_t i = 0; i < fds.size(); ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        char buffer[4096];
        const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
        if (n > 0) {
          forward(*owners[i], buffer, static_cast<size_t>(n));
        } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
          Worker& w = *owners[i];
          ::close(w.err_fd);
          w.err_fd = -1;
          if (!w.line.empty()) forward(w, "\n", 1);
          // Its standard error closes as it exits: reap it now, before peers that fail because it left
          // (their collectives break) can be mistaken for the first failure.
          for (int tries = 0; tries < 2000 && !reap_one(w); ++tries) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
      }
    }
  } else {
    std::this_thread::sleep_for(std::min(wait, std::chrono::milliseconds(50)));
  }
  reap();
  if (stopping_ && !killed_ && std::chrono::steady_clock::now() - stop_since_ > request_.grace) kill();
  for (const Worker& w : workers_)
    if (w.running || w.err_fd >= 0) return std::nullopt;
  return outcome();
}

LaunchOutcome LocalLauncher::outcome() const {
  LaunchOutcome out;
  if (failed_rank_ >= 0) {
    const Worker& w = workers_[static_cast<size_t>(failed_rank_)];
    out.failed_rank = failed_rank_;
    out.exit_code = exit_code_of(w.status);
    out.message = "rank " + std::to_string(w.rank) + " of " + std::to_string(workers_.size()) + " " +
                  describe_status(w.status) + (w.last_error.empty() ? "" : ": " + w.last_error);
  } else if (stopping_) {
    out.exit_code = 130;
    out.message = "stopped";
  }
  return out;
}

LaunchOutcome run_local_workers(LaunchRequest request, const std::function<int()>& stop_requests) {
  LocalLauncher launcher(std::move(request));
  launcher.start();
  for (;;) {
    const int requests = stop_requests ? stop_requests() : 0;
    if (requests >= 2) launcher.kill();
    else if (requests == 1) launcher.stop();
    if (auto done = launcher.poll(std::chrono::milliseconds(100))) return *done;
  }
}

}  // namespace fovea::engine
