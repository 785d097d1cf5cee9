#include "engine/data/image_header.h"

#include <cctype>
#include <cstring>
#include <string_view>

#include "engine/errors.h"

namespace fovea::engine {
namespace {

// Bounds-checked reads: every accessor returns nullopt past the end instead of reading it.
class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  size_t size() const { return size_; }
  bool has(size_t offset, size_t count) const { return offset <= size_ && count <= size_ - offset; }
  bool starts_with(size_t offset, std::string_view text) const {
    return has(offset, text.size()) && std::memcmp(data_ + offset, text.data(), text.size()) == 0;
  }
  std::optional<uint32_t> u8(size_t at) const { return has(at, 1) ? std::optional<uint32_t>(data_[at]) : std::nullopt; }
  std::optional<uint32_t> be16(size_t at) const { return read(at, 2, false); }
  std::optional<uint32_t> le16(size_t at) const { return read(at, 2, true); }
  std::optional<uint32_t> be32(size_t at) const { return read(at, 4, false); }
  std::optional<uint32_t> le32(size_t at) const { return read(at, 4, true); }
  std::optional<uint32_t> le24(size_t at) const { return read(at, 3, true); }

 private:
  std::optional<uint32_t> read(size_t at, size_t count, bool little_endian) const {
    if (!has(at, count)) return std::nullopt;
    uint32_t value = 0;
    for (size_t i = 0; i < count; ++i) {
      const uint32_t byte = data_[at + (little_endian ? count - 1 - i : i)];
      value = value << 8 | byte;
    }
    return value;
  }
  const uint8_t* data_;
  size_t size_;
};

std::optional<ImageHeader> sized(const char* format, int64_t width, int64_t height) {
  if (width <= 0 || height <= 0) return std::nullopt;
  return ImageHeader{format, width, height};
}

std::optional<ImageHeader> png(const Bytes& b) {
  // Signature, then the first chunk must be IHDR: length, "IHDR", width, height (big-endian).
  const auto width = b.be32(16), height = b.be32(20);
  if (!b.starts_with(12, "IHDR") || !width || !height) return std::nullopt;
  return sized("PNG", *width, *height);
}

bool is_jpeg_frame_marker(uint32_t marker) {
  // SOF0-SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
  return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

std::optional<ImageHeader> jpeg(const Bytes& b) {
  size_t at = 2;  // after SOI
  while (b.has(at, 2)) {
    if (*b.u8(at) != 0xFF) return std::nullopt;  // segments follow each other back to back until the scan
    size_t next = at + 1;
    while (b.u8(next) == 0xFFu) ++next;  // fill bytes
    const auto marker = b.u8(next);
    if (!marker) return std::nullopt;
    at = next + 1;
    if (*marker == 0x01 || (*marker >= 0xD0 && *marker <= 0xD8)) continue;  // stand-alone markers
    if (*marker == 0xD9 || *marker == 0xDA) return std::nullopt;            // end of image or scan before a frame
    const auto length = b.be16(at);
    if (!length || *length < 2) return std::nullopt;
    if (is_jpeg_frame_marker(*marker)) {
      const auto height = b.be16(at + 3), width = b.be16(at + 5);  // after length and sample precision
      if (!height || !width) return std::nullopt;
      return sized("JPEG", *width, *height);  // height 0 (defined later by DNL): refused, libjpeg does too
    }
    at += *length;
  }
  return std::nullopt;
}

std::optional<ImageHeader> bmp(const Bytes& b) {
  const auto info_size = b.le32(14);
  if (!info_size) return std::nullopt;
  if (*info_size == 12) {  // OS/2 BITMAPCOREHEADER: unsigned 16-bit sizes
    const auto width = b.le16(18), height = b.le16(20);
    if (!width || !height) return std::nullopt;
    return sized("BMP", *width, *height);
  }
  const auto width = b.le32(18), height = b.le32(22);
  if (!width || !height) return std::nullopt;
  // Signed 32-bit; a negative height means the rows run top-down.
  const int64_t w = static_cast<int32_t>(*width);
  const int64_t h = static_cast<int32_t>(*height);
  return sized("BMP", w, h < 0 ? -h : h);
}

std::optional<ImageHeader> webp(const Bytes& b) {
  if (b.starts_with(12, "VP8 ")) {  // lossy: a key frame's start code, then 14-bit width and height
    const auto width = b.le16(26), height = b.le16(28);
    if (!b.starts_with(23, "\x9d\x01\x2a") || !width || !height) return std::nullopt;
    return sized("WebP", *width & 0x3FFF, *height & 0x3FFF);
  }
  if (b.starts_with(12, "VP8L")) {  // lossless: signature 0x2F, then width-1 and height-1 in 14 bits each
    const auto bits = b.le32(21);
    if (b.u8(20) != 0x2Fu || !bits) return std::nullopt;
    return sized("WebP", (*bits & 0x3FFF) + 1, (*bits >> 14 & 0x3FFF) + 1);
  }
  if (b.starts_with(12, "VP8X")) {  // extended: canvas width-1 and height-1 in 24 bits each
    const auto width = b.le24(24), height = b.le24(27);
    if (!width || !height) return std::nullopt;
    return sized("WebP", int64_t{*width} + 1, int64_t{*height} + 1);
  }
  return std::nullopt;
}

std::optional<ImageHeader> tiff(const Bytes& b) {
  const bool little = b.starts_with(0, "II");
  auto u16 = [&](size_t at) { return little ? b.le16(at) : b.be16(at); };
  auto u32 = [&](size_t at) { return little ? b.le32(at) : b.be32(at); };
  const auto directory = u32(4);
  if (!directory) return std::nullopt;
  const auto entries = u16(*directory);
  if (!entries) return std::nullopt;
  int64_t width = 0, height = 0;
  for (uint32_t i = 0; i < *entries; ++i) {
    const size_t entry = *directory + 2 + size_t{12} * i;
    const auto tag = u16(entry), type = u16(entry + 2);
    if (!tag || !type) return std::nullopt;
    if (*tag != 256 && *tag != 257) continue;  // ImageWidth, ImageLength
    std::optional<uint32_t> value;
    if (*type == 3) value = u16(entry + 8);       // SHORT, left-justified in the value field
    else if (*type == 4) value = u32(entry + 8);  // LONG
    if (!value) return std::nullopt;
    (*tag == 256 ? width : height) = *value;
  }
  return sized("TIFF", width, height);
}

// PNM's header is text: the magic, then whitespace-separated numbers with '#' comments between them.
std::optional<int64_t> pnm_number(const Bytes& b, size_t& at) {
  for (;;) {
    const auto c = b.u8(at);
    if (!c) return std::nullopt;
    if (*c == '#') {
      while (b.u8(at) && *b.u8(at) != '\n' && *b.u8(at) != '\r') ++at;
    } else if (std::isspace(static_cast<int>(*c))) {
      ++at;
    } else {
      break;
    }
  }
  int64_t value = 0;
  size_t digits = 0;
  while (b.u8(at) && std::isdigit(static_cast<int>(*b.u8(at)))) {
    value = value * 10 + (*b.u8(at) - '0');
    ++at;
    if (++digits > 9) return std::nullopt;  // more than 999,999,999: not an image anyone can decode
  }
  // A number that runs into the end of the data may be cut short: the header always goes on after it.
  if (digits == 0 || !b.has(at, 1)) return std::nullopt;
  return value;
}

// PAM (P7): "WIDTH n" and "HEIGHT n" lines before ENDHDR.
std::optional<ImageHeader> pam(const Bytes& b) {
  int64_t width = 0, height = 0;
  size_t at = 2;
  while (b.has(at, 1) && at < 4096) {
    while (b.u8(at) && std::isspace(static_cast<int>(*b.u8(at)))) ++at;
    if (b.starts_with(at, "ENDHDR")) return sized("PNM", width, height);
    for (const auto& [key, target] : {std::pair{"WIDTH", &width}, std::pair{"HEIGHT", &height}}) {
      if (!b.starts_with(at, key)) continue;
      size_t number_at = at + std::string_view(key).size();
      const auto value = pnm_number(b, number_at);
      if (!value) return std::nullopt;
      *target = *value;
    }
    while (b.u8(at) && *b.u8(at) != '\n') ++at;  // the rest of the line
  }
  return std::nullopt;
}

std::optional<ImageHeader> pnm(const Bytes& b) {
  if (*b.u8(1) == '7') return pam(b);
  size_t at = 2;
  const auto width = pnm_number(b, at);
  if (!width) return std::nullopt;
  const auto height = pnm_number(b, at);
  if (!height) return std::nullopt;
  return sized("PNM", *width, *height);
}

bool is_pnm_magic(const Bytes& b) {
  const auto second = b.u8(1);
  return b.u8(0) == uint32_t{'P'} && second &&
         ((*second >= '1' && *second <= '7') || *second == 'F' || *second == 'f');
}

}  // namespace

const char* image_signature(const uint8_t* data, size_t size) {
  const Bytes b(data, size);
  if (b.starts_with(0, "\x89PNG\r\n\x1a\n")) return "PNG";
  if (b.starts_with(0, "\xFF\xD8")) return "JPEG";
  if (b.starts_with(0, "BM")) return "BMP";
  if (b.starts_with(0, "RIFF") && b.starts_with(8, "WEBP")) return "WebP";
  if (b.starts_with(0, "II*") || b.starts_with(0, std::string_view("MM\0*", 4))) return "TIFF";
  if (is_pnm_magic(b)) return "PNM";
  return nullptr;
}

std::optional<ImageHeader> read_image_header(const uint8_t* data, size_t size) {
  const Bytes b(data, size);
  const char* format = image_signature(data, size);
  if (format == nullptr) return std::nullopt;
  const std::string_view f(format);
  if (f == "PNG") return png(b);
  if (f == "JPEG") return jpeg(b);
  if (f == "BMP") return bmp(b);
  if (f == "WebP") return webp(b);
  if (f == "TIFF") return tiff(b);
  return pnm(b);
}

ImageHeader check_image_header(const uint8_t* data, size_t size, const std::string& name) {
  const char* format = image_signature(data, size);
  if (format == nullptr)
    throw DatasetError(name + ": not an image (Fovea reads JPEG, PNG, BMP, WebP, TIFF and PNM files)");
  const auto header = read_image_header(data, size);
  if (!header)
    throw DatasetError(name + ": a damaged or truncated " + format + " file (its header gives no image size)");
  if (header->width > kMaxImagePixels / header->height)
    throw DatasetError(name + ": " + header->format + " of " + std::to_string(header->width) + "x" +
                       std::to_string(header->height) + " pixels, more than the " + std::to_string(kMaxImagePixels) +
                       " Fovea decodes (PIL's limit against decompression bombs)");
  return *header;
}

}  // namespace fovea::engine
