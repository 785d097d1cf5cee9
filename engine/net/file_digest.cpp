#include "engine/net/file_digest.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "engine/errors.h"

namespace fovea::engine {

const char* digest_name(DigestKind kind) { return kind == DigestKind::Md5 ? "MD5" : "SHA-256"; }

std::string file_digest(const std::string& path, DigestKind kind, const std::function<void(int64_t)>& progress) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!file) throw Error("cannot read " + path + ": " + std::strerror(errno));
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), kind == DigestKind::Md5 ? EVP_md5() : EVP_sha256(), nullptr) != 1)
    throw Error(std::string("cannot compute ") + digest_name(kind) + " of " + path + ": OpenSSL refused");

  std::vector<unsigned char> buffer(4 << 20);
  int64_t done = 0;
  for (;;) {
    const size_t n = std::fread(buffer.data(), 1, buffer.size(), file.get());
    if (n > 0) EVP_DigestUpdate(ctx.get(), buffer.data(), n);
    done += static_cast<int64_t>(n);
    if (progress) progress(done);
    if (n < buffer.size()) break;
  }
  if (std::ferror(file.get())) throw Error("cannot read " + path + ": " + std::strerror(errno));

  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &length);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

}  // namespace fovea::engine
