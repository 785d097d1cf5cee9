// Checksums of downloaded files (OpenSSL's libcrypto), as lowercase hex.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

namespace fovea::engine {

enum class DigestKind { Md5, Sha256 };
const char* digest_name(DigestKind kind);  // "MD5", "SHA-256"

// Reads the whole file; `progress(bytes_read)` is called every few MiB and may throw (a cancel) to
// stop. Throws Error naming the file when it cannot be read.
std::string file_digest(const std::string& path, DigestKind kind,
                        const std::function<void(int64_t)>& progress = nullptr);

}  // namespace fovea::engine
