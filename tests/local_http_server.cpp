#include "local_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <stdexcept>

namespace fovea::testing {
namespace {

bool send_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);  // a client that hung up must not kill us
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

LocalHttpServer::LocalHttpServer() {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listener_ < 0) throw std::runtime_error("test server: socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listener_, 8) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::runtime_error("test server: cannot listen on 127.0.0.1");
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

LocalHttpServer::~LocalHttpServer() {
  stop_ = true;
  thread_.join();
  ::close(listener_);
}

void LocalHttpServer::put(const std::string& path, const std::string& content) {
  std::lock_guard lock(mutex_);
  files_[path] = content;
}

std::string LocalHttpServer::base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

std::vector<LocalHttpServer::Request> LocalHttpServer::requests() {
  std::lock_guard lock(mutex_);
  return requests_;
}

void LocalHttpServer::serve() {
  while (!stop_) {
    pollfd p{listener_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) continue;
    answer(client);
    ::close(client);
  }
}

// One request per connection ("Connection: close").
void LocalHttpServer::answer(int client) {
  std::string head;
  char buffer[4096];
  while (head.find("\r\n\r\n") == std::string::npos) {
    pollfd p{client, POLLIN, 0};
    if (::poll(&p, 1, 2000) <= 0) return;
    const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
    if (n <= 0) return;
    head.append(buffer, static_cast<size_t>(n));
  }
  Request request;
  const size_t space = head.find(' ');
  request.path = head.substr(space + 1, head.find(' ', space + 1) - space - 1);
  const size_t range_at = lower(head).find("\r\nrange:");
  if (range_at != std::string::npos) {
    const size_t start = head.find_first_not_of(' ', range_at + 8);
    request.range = head.substr(start, head.find("\r\n", start) - start);
  }
  std::string content;
  bool found = false;
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
    if (auto it = files_.find(request.path); it != files_.end()) {
      content = it->second;
      found = true;
    }
  }
  if (!found) {
    const std::string body = "not found\n";
    const std::string response = "HTTP/1.1 404 Not Found\r\nContent-Length: " + std::to_string(body.size()) +
                                 "\r\nConnection: close\r\n\r\n" + body;
    send_all(client, response.data(), response.size());
    return;
  }
  size_t from = 0;
  long long asked = -1;
  if (!request.range.empty() && !ignore_range && std::sscanf(request.range.c_str(), "bytes=%lld-", &asked) == 1) {
    if (static_cast<size_t>(asked) >= content.size()) {
      const std::string response = "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" +
                                   std::to_string(content.size()) + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      send_all(client, response.data(), response.size());
      return;
    }
    from = static_cast<size_t>(asked);
  }
  std::string header = from > 0 ? "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " + std::to_string(from) + "-" +
                                       std::to_string(content.size() - 1) + "/" + std::to_string(content.size()) + "\r\n"
                                 : std::string("HTTP/1.1 200 OK\r\n");
  header += "Content-Length: " + std::to_string(content.size() - from) + "\r\nConnection: close\r\n\r\n";
  if (!send_all(client, header.data(), header.size())) return;
  const int64_t drop = drop_after.exchange(-1);
  size_t sent = 0;
  const size_t body = content.size() - from;
  while (sent < body) {
    size_t n = std::min<size_t>(4096, body - sent);
    if (drop >= 0) n = std::min<size_t>(n, static_cast<size_t>(drop) - sent);
    if (n == 0) return;  // the dropped connection: closed with bytes still owed
    if (!send_all(client, content.data() + from + sent, n)) return;
    sent += n;
    if (const int ms = chunk_delay_ms.load()) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }
}

}  // namespace fovea::testing
