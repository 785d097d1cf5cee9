// A small HTTP/1.1 server on 127.0.0.1 for download tests (no network needed): GET of in-memory
// files, Range requests answered with 206, and switches to misbehave the ways real servers do.
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fovea::testing {

class LocalHttpServer {
 public:
  LocalHttpServer();   // listening on a free port; serves until destroyed
  ~LocalHttpServer();
  LocalHttpServer(const LocalHttpServer&) = delete;
  LocalHttpServer& operator=(const LocalHttpServer&) = delete;

  void put(const std::string& path, const std::string& content);  // path like "/file.tar.gz"
  std::string base_url() const;                                   // "http://127.0.0.1:PORT/"

  // The next response closes the connection after this many body bytes (then the switch resets).
  std::atomic<int64_t> drop_after{-1};
  std::atomic<bool> ignore_range{false};   // answer 200 with the whole file even to a Range request
  std::atomic<int> chunk_delay_ms{0};      // pause after each 4 KiB sent: a slow server

  struct Request {
    std::string path;
    std::string range;  // the Range header's value, "" when absent
  };
  std::vector<Request> requests();

 private:
  void serve();
  void answer(int client);

  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::map<std::string, std::string> files_;
  std::vector<Request> requests_;
  std::thread thread_;
};

}  // namespace fovea::testing
