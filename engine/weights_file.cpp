#include "engine/weights_file.h"

#include <cstring>
#include <fstream>

#include "engine/checkpoint.h"
#include "engine/errors.h"
#include "engine/io/file_bytes.h"
#include "engine/io/printable.h"
#include "engine/io/safetensors.h"
#include "engine/io/torch_checkpoint.h"
#include "engine/io/torch_state_dict.h"
#include "engine/io/zip_reader.h"
#include "engine/tensor_convert.h"

namespace fovea::engine {
namespace {

// An 8-byte little-endian header length that fits the file, then the JSON object's '{'.
bool looks_like_safetensors(std::span<const uint8_t> bytes) {
  if (bytes.size() < 10) return false;
  uint64_t length = 0;
  for (int i = 0; i < 8; ++i) length |= uint64_t{bytes[static_cast<size_t>(i)]} << (8 * i);
  return length >= 2 && length <= kMaxSafetensorsHeader && bytes[8] == '{';
}

// torch.save's legacy format opens with a pickle (protocol 2 and up: the PROTO opcode), and the
// format before 0.1.10 is a tar archive: both go to the PyTorch reader, which explains what it finds.
bool looks_like_torch_legacy(std::span<const uint8_t> bytes) {
  const bool pickle = !bytes.empty() && bytes[0] == 0x80;
  const bool tar = bytes.size() > 262 && std::memcmp(bytes.data() + 257, "ustar", 5) == 0;
  return pickle || tar;
}

WeightsFile from_safetensors(std::vector<uint8_t> bytes, const std::string& path) {
  const SafetensorsFile file = SafetensorsFile::parse(std::move(bytes), path);
  WeightsFile out;
  out.path = path;
  const auto fovea = file.metadata().find(kCheckpointMetadataKey);
  out.format = fovea != file.metadata().end() ? WeightsFormat::FoveaCheckpoint : WeightsFormat::Safetensors;
  if (fovea != file.metadata().end()) out.metadata_json = fovea->second;
  for (const auto& [name, stored] : file.tensors()) {
    at::Tensor t = tensor_from_bytes(stored.dtype, stored.shape, file.data(stored), stored.nbytes);
    // No PyTorch module name holds a '/': in Fovea's checkpoints such names are the training state.
    const bool state = out.format == WeightsFormat::FoveaCheckpoint && name.find('/') != std::string::npos;
    (state ? out.training_state : out.tensors).emplace(name, std::move(t));
  }
  return out;
}

}  // namespace

WeightsFile weights_from_torch_checkpoint(const TorchCheckpoint& checkpoint, const std::string& path, bool prefer_ema) {
  const TorchStateDict found = find_state_dict(checkpoint, path, prefer_ema);
  WeightsFile out;
  out.path = path;
  out.format = checkpoint.format == TorchCheckpoint::Format::Zip ? WeightsFormat::TorchZip : WeightsFormat::TorchLegacy;
  out.found_under = found.found_under;
  TorchTensorConverter convert;
  for (const auto& [name, tensor] : found.tensors) out.tensors.emplace(name, convert(tensor));
  if (!found.found_under.empty()) {  // the rest of a training script's checkpoint: epoch, optimizer, args, ...
    for (const auto& [key, value] : checkpoint.root.dict_items()) {
      const std::string* text = key.text();
      if (text && *text == found.found_under) continue;
      out.ignored.push_back((text ? printable(*text, 40) : std::string(key.kind_name())) + " (" + value.kind_name() + ")");
    }
  }
  for (const std::string& entry : found.ignored) out.ignored.push_back(found.found_under.empty() ? entry : found.found_under + "." + entry);
  return out;
}

const char* weights_format_name(WeightsFormat format) {
  switch (format) {
    case WeightsFormat::FoveaCheckpoint: return "Fovea checkpoint";
    case WeightsFormat::Safetensors: return "safetensors";
    case WeightsFormat::TorchZip: return "PyTorch zip file";
    case WeightsFormat::TorchLegacy: return "PyTorch legacy file";
  }
  return "unknown";
}

std::string WeightsFile::describe() const {
  std::string text = path + ": " + weights_format_name(format);
  if (format == WeightsFormat::TorchZip || format == WeightsFormat::TorchLegacy)
    text += found_under.empty() ? ", state dict at the top level" : ", state dict under '" + found_under + "'";
  text += ", " + std::to_string(tensors.size()) + " tensors";
  if (!training_state.empty()) text += " and " + std::to_string(training_state.size()) + " of training state";
  if (!ignored.empty()) text += "; ignored: " + first_few(ignored);
  return text;
}

std::optional<WeightsFormat> detect_weights_format(std::span<const uint8_t> bytes) {
  if (looks_like_zip(bytes)) return WeightsFormat::TorchZip;
  if (looks_like_safetensors(bytes)) return WeightsFormat::Safetensors;  // Fovea's own is told by its metadata
  if (looks_like_torch_legacy(bytes)) return WeightsFormat::TorchLegacy;
  return std::nullopt;
}

WeightsFile read_weights_file(const std::string& path, bool prefer_ema) {
  std::vector<uint8_t> bytes = read_file_bytes(path);
  const std::optional<WeightsFormat> format = detect_weights_format(bytes);
  if (!format)
    throw CheckpointError(path + ": not a weights file Fovea reads (expected safetensors, or a PyTorch .pth/.pt "
                                 "file written by torch.save)");
  if (*format == WeightsFormat::Safetensors) return from_safetensors(std::move(bytes), path);
  return weights_from_torch_checkpoint(parse_torch_checkpoint(std::move(bytes), path), path, prefer_ema);
}

std::string read_fovea_metadata(const std::string& path) {
  std::vector<uint8_t> head(16);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CheckpointError("cannot read " + path);
  in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  const auto format = detect_weights_format(head);
  if (format != WeightsFormat::Safetensors)
    throw CheckpointError(path + ": not a Fovea checkpoint (" +
                          (format ? std::string(weights_format_name(*format)) : std::string("not a weights file")) + ")");
  const auto metadata = read_safetensors_metadata(path);
  const auto found = metadata.find(kCheckpointMetadataKey);
  return found == metadata.end() ? std::string() : found->second;
}

}  // namespace fovea::engine
