#include "engine/net/http_download.h"

#include <curl/curl.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>

#include "engine/errors.h"

namespace fovea::engine {
namespace {

namespace fs = std::filesystem;

// curl_global_init is not thread-safe in every libcurl: once, before the first handle.
void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool starts_with_nocase(const char* data, size_t size, const char* prefix) {
  const size_t n = std::strlen(prefix);
  if (size < n) return false;
  for (size_t i = 0; i < n; ++i) {
    if (std::tolower(static_cast<unsigned char>(data[i])) != prefix[i]) return false;
  }
  return true;
}

// State shared with curl's callbacks. Exceptions must not cross curl's C frames: a callback keeps
// what went wrong here and returns the value that makes curl abort.
struct Transfer {
  std::string url, part_path;
  int64_t offset = 0;          // size of the partial file before this transfer
  CURL* curl = nullptr;
  std::FILE* file = nullptr;
  bool opened = false;
  bool appending = false;
  int64_t range_start = -1;    // from the last response's Content-Range
  const TransferProgress* progress = nullptr;
  std::exception_ptr failure;

  ~Transfer() {
    if (file) std::fclose(file);
  }

  std::string write_error() const { return "cannot write " + part_path + ": " + std::strerror(errno); }

  // On the first bytes of the body: append for a 206 at our offset, start over for anything else.
  void open_for_status() {
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    appending = status == 206;
    if (appending && range_start != offset)
      throw Error("cannot download " + url + ": asked to resume at byte " + std::to_string(offset) +
                  ", the server sent a range from byte " + std::to_string(range_start));
    file = std::fopen(part_path.c_str(), appending ? "ab" : "wb");
    if (!file) throw Error(write_error());
    opened = true;
  }

  int64_t base() const { return opened && !appending ? 0 : offset; }
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (starts_with_nocase(data, n, "http/")) t.range_start = -1;  // a new response (after a redirect)
  if (starts_with_nocase(data, n, "content-range:")) {
    const std::string line(data + 14, n - 14);
    long long start = -1;
    if (std::sscanf(line.c_str(), " bytes %lld-", &start) == 1) t.range_start = start;
  }
  return n;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const size_t n = size * count;
  try {
    if (!t.opened) t.open_for_status();
    if (std::fwrite(data, 1, n, t.file) != n) throw Error(t.write_error());
  } catch (...) {
    t.failure = std::current_exception();
    return 0;  // CURLE_WRITE_ERROR
  }
  return n;
}

int on_progress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
  auto& t = *static_cast<Transfer*>(user);
  if (!t.progress || !*t.progress) return 0;
  try {
    const int64_t base = t.base();
    (*t.progress)(base + now, total > 0 ? base + total : -1);
  } catch (...) {
    t.failure = std::current_exception();
    return 1;  // CURLE_ABORTED_BY_CALLBACK
  }
  return 0;
}

}  // namespace

TransferResult http_download(const std::string& url, const std::string& part_path, const TransferProgress& progress) {
  init_curl_once();
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw Error("cannot download " + url + ": libcurl failed to start");

  Transfer t;
  t.url = url;
  t.part_path = part_path;
  t.curl = curl.get();
  t.progress = &progress;
  std::error_code ec;
  if (fs::is_regular_file(part_path, ec)) t.offset = static_cast<int64_t>(fs::file_size(part_path, ec));
  const std::string range = std::to_string(t.offset) + "-";  // CURLOPT_RANGE: a 200 answer is not an error

  char message[CURL_ERROR_SIZE] = {};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // engine threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);  // a stalled connection fails after a minute
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "Fovea");
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, message);
  if (t.offset > 0) curl_easy_setopt(c, CURLOPT_RANGE, range.c_str());
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);

  const CURLcode code = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  // Flush what arrived before reporting anything: a later resume starts after these bytes.
  if (t.file) {
    std::FILE* file = t.file;
    t.file = nullptr;
    if (std::fclose(file) != 0 && !t.failure && code == CURLE_OK) throw Error(t.write_error());
  }
  if (t.failure) std::rethrow_exception(t.failure);

  TransferResult result;
  result.status = status;
  if (code == CURLE_HTTP_RETURNED_ERROR && status == 416 && t.offset > 0) {
    result.bytes = result.resumed_at = t.offset;  // nothing after our offset: the file may be complete
    return result;
  }
  if (code == CURLE_HTTP_RETURNED_ERROR && status >= 500)
    throw NetworkError("cannot download " + url + ": the server answered HTTP " + std::to_string(status));
  if (code == CURLE_HTTP_RETURNED_ERROR)
    throw Error("cannot download " + url + ": the server answered HTTP " + std::to_string(status));
  if (code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL)
    throw Error("cannot download " + url + ": " + curl_easy_strerror(code));
  if (code != CURLE_OK)
    throw NetworkError("cannot download " + url + ": " + (message[0] ? std::string(message) : curl_easy_strerror(code)));
  if (!t.opened) {  // an empty body: the file is empty too
    t.open_for_status();
  }
  result.resumed_at = t.appending ? t.offset : 0;
  result.bytes = static_cast<int64_t>(fs::file_size(part_path, ec));
  if (ec) throw Error("cannot read " + part_path + ": " + ec.message());
  return result;
}

}  // namespace fovea::engine
