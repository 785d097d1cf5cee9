#include "engine/job_event_stream.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace fovea::engine {
namespace {

using nlohmann::json;

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(const std::vector<uint8_t>& bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const uint32_t b0 = bytes[i];
    const uint32_t b1 = i + 1 < bytes.size() ? bytes[i + 1] : 0;
    const uint32_t b2 = i + 2 < bytes.size() ? bytes[i + 2] : 0;
    const uint32_t triple = b0 << 16 | b1 << 8 | b2;
    out += kBase64[triple >> 18 & 63];
    out += kBase64[triple >> 12 & 63];
    out += i + 1 < bytes.size() ? kBase64[triple >> 6 & 63] : '=';
    out += i + 2 < bytes.size() ? kBase64[triple & 63] : '=';
  }
  return out;
}

// Throws std::invalid_argument on text that is not base64.
std::vector<uint8_t> unbase64(const std::string& text) {
  if (text.size() % 4 != 0) throw std::invalid_argument("base64 length");
  const auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    throw std::invalid_argument("base64 character");
  };
  std::vector<uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const int pad = (text[i + 3] == '=') + (text[i + 2] == '=');
    if (pad > 0 && i + 4 != text.size()) throw std::invalid_argument("base64 padding");
    const uint32_t triple = uint32_t(value(text[i])) << 18 | uint32_t(value(text[i + 1])) << 12 |
                            uint32_t(pad >= 2 ? 0 : value(text[i + 2])) << 6 | uint32_t(pad >= 1 ? 0 : value(text[i + 3]));
    out.push_back(uint8_t(triple >> 16));
    if (pad < 2) out.push_back(uint8_t(triple >> 8));
    if (pad < 1) out.push_back(uint8_t(triple));
  }
  return out;
}

// JSON has no NaN or infinity (nlohmann writes them as null): null reads back as NaN.
double number(const json& j, const char* key) {
  const json& v = j.at(key);
  return v.is_null() ? std::numeric_limits<double>::quiet_NaN() : v.get<double>();
}

const char* level_key(log::Level level) {
  switch (level) {
    case log::Level::Debug: return "debug";
    case log::Level::Info: return "info";
    case log::Level::Warning: return "warning";
    case log::Level::Error: return "error";
  }
  return "info";
}

log::Level level_of(const std::string& key) {
  if (key == "debug") return log::Level::Debug;
  if (key == "warning") return log::Level::Warning;
  if (key == "error") return log::Level::Error;
  return log::Level::Info;
}

void replay(const json& j, JobObserver& observer) {
  const std::string event = j.at("event").get<std::string>();
  if (event == "progress") {
    Progress p;
    p.epoch = j.at("epoch").get<int>();
    p.epochs = j.at("epochs").get<int>();
    p.step = j.at("step").get<int64_t>();
    p.total_steps = j.at("total_steps").get<int64_t>();
    p.step_in_epoch = j.at("step_in_epoch").get<int64_t>();
    p.steps_per_epoch = j.at("steps_per_epoch").get<int64_t>();
    p.images_per_second = number(j, "images_per_second");
    p.elapsed_seconds = number(j, "elapsed_seconds");
    p.eta_seconds = number(j, "eta_seconds");
    p.phase = j.at("phase").get<std::string>();
    observer.on_progress(p);
  } else if (event == "step") {
    observer.on_step({j.at("step").get<int64_t>(), j.at("epoch").get<int>(), number(j, "train_loss"),
                      number(j, "learning_rate")});
  } else if (event == "epoch") {
    EpochMetrics e;
    e.epoch = j.at("epoch").get<int>();
    e.train_loss = number(j, "train_loss");
    e.train_accuracy = number(j, "train_accuracy");
    e.test_loss = number(j, "test_loss");
    e.test_accuracy = number(j, "test_accuracy");
    e.ema_test_loss = number(j, "ema_test_loss");
    e.ema_test_accuracy = number(j, "ema_test_accuracy");
    e.learning_rate = number(j, "learning_rate");
    e.seconds = number(j, "seconds");
    e.images_per_second = number(j, "images_per_second");
    e.num_classes = j.at("num_classes").get<int>();
    e.confusion = j.at("confusion").get<std::vector<int64_t>>();
    e.checkpoint = j.at("checkpoint").get<std::string>();
    if (e.num_classes < 0 || e.confusion.size() != size_t(e.num_classes) * size_t(e.num_classes))
      throw std::invalid_argument("confusion matrix size");
    observer.on_epoch(e);
  } else if (event == "predictions") {
    PredictionSamples s;
    s.epoch = j.at("epoch").get<int>();
    s.class_names = j.at("class_names").get<std::vector<std::string>>();
    for (const json& item : j.at("items")) {
      SamplePrediction p;
      p.index = item.at("index").get<int64_t>();
      p.label = item.at("label").get<int>();
      p.top_classes = item.at("top_classes").get<std::vector<int>>();
      p.top_probabilities = item.at("top_probabilities").get<std::vector<float>>();
      const json& image = item.at("image");
      p.image.width = image.at("width").get<int>();
      p.image.height = image.at("height").get<int>();
      p.image.channels = image.at("channels").get<int>();
      p.image.pixels = unbase64(image.at("pixels").get<std::string>());
      if (p.image.width < 0 || p.image.height < 0 || p.image.channels < 0 ||
          p.image.pixels.size() != size_t(p.image.width) * size_t(p.image.height) * size_t(p.image.channels))
        throw std::invalid_argument("image size");
      s.items.push_back(std::move(p));
    }
    observer.on_predictions(s);
  } else if (event == "log") {
    observer.on_log(level_of(j.at("level").get<std::string>()), j.at("message").get<std::string>());
  } else if (event == "finished") {
    TrainSummary s;
    s.epochs_completed = j.at("epochs_completed").get<int>();
    s.train_loss = number(j, "train_loss");
    s.test_loss = number(j, "test_loss");
    s.test_accuracy = number(j, "test_accuracy");
    s.ema_test_accuracy = number(j, "ema_test_accuracy");
    s.images_per_second = number(j, "images_per_second");
    s.seconds = number(j, "seconds");
    s.checkpoint = j.at("checkpoint").get<std::string>();
    s.device = j.at("device").get<std::string>();
    observer.on_finished(s);
  } else {
    throw std::invalid_argument("unknown event");
  }
}

}  // namespace

JsonLinesObserver::JsonLinesObserver(std::function<void(const std::string&)> write_line)
    : write_line_(std::move(write_line)) {}

void JsonLinesObserver::write(const std::string& line) {
  std::lock_guard lock(mutex_);
  write_line_(line);
}

void JsonLinesObserver::on_progress(const Progress& p) {
  write(json{{"event", "progress"},
             {"epoch", p.epoch},
             {"epochs", p.epochs},
             {"step", p.step},
             {"total_steps", p.total_steps},
             {"step_in_epoch", p.step_in_epoch},
             {"steps_per_epoch", p.steps_per_epoch},
             {"images_per_second", p.images_per_second},
             {"elapsed_seconds", p.elapsed_seconds},
             {"eta_seconds", p.eta_seconds},
             {"phase", p.phase}}
            .dump());
}

void JsonLinesObserver::on_step(const StepMetrics& s) {
  write(json{{"event", "step"}, {"step", s.step}, {"epoch", s.epoch}, {"train_loss", s.train_loss},
             {"learning_rate", s.learning_rate}}
            .dump());
}

void JsonLinesObserver::on_epoch(const EpochMetrics& e) {
  write(json{{"event", "epoch"},
             {"epoch", e.epoch},
             {"train_loss", e.train_loss},
             {"train_accuracy", e.train_accuracy},
             {"test_loss", e.test_loss},
             {"test_accuracy", e.test_accuracy},
             {"ema_test_loss", e.ema_test_loss},
             {"ema_test_accuracy", e.ema_test_accuracy},
             {"learning_rate", e.learning_rate},
             {"seconds", e.seconds},
             {"images_per_second", e.images_per_second},
             {"num_classes", e.num_classes},
             {"confusion", e.confusion},
             {"checkpoint", e.checkpoint}}
            .dump());
}

void JsonLinesObserver::on_predictions(const PredictionSamples& samples) {
  json items = json::array();
  for (const SamplePrediction& p : samples.items) {
    items.push_back({{"index", p.index},
                     {"label", p.label},
                     {"top_classes", p.top_classes},
                     {"top_probabilities", p.top_probabilities},
                     {"image",
                      {{"width", p.image.width},
                       {"height", p.image.height},
                       {"channels", p.image.channels},
                       {"pixels", base64(p.image.pixels)}}}});
  }
  // Class names come from files: invalid UTF-8 is replaced rather than ending the run.
  write(json{{"event", "predictions"}, {"epoch", samples.epoch}, {"class_names", samples.class_names}, {"items", items}}
            .dump(-1, ' ', false, json::error_handler_t::replace));
}

void JsonLinesObserver::on_log(log::Level level, const std::string& message) {
  write(json{{"event", "log"}, {"level", level_key(level)}, {"message", message}}.dump(
      -1, ' ', false, json::error_handler_t::replace));
}

void JsonLinesObserver::on_finished(const TrainSummary& s) {
  write(json{{"event", "finished"},
             {"epochs_completed", s.epochs_completed},
             {"train_loss", s.train_loss},
             {"test_loss", s.test_loss},
             {"test_accuracy", s.test_accuracy},
             {"ema_test_accuracy", s.ema_test_accuracy},
             {"images_per_second", s.images_per_second},
             {"seconds", s.seconds},
             {"checkpoint", s.checkpoint},
             {"device", s.device}}
            .dump(-1, ' ', false, json::error_handler_t::replace));
}

bool replay_json_line(std::string_view line, JobObserver& observer) {
  if (line.empty() || line.front() != '{') return false;
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("event")) return false;
  // Everything is read before the observer is called: a malformed event calls nothing.
  struct Pending final : JobObserver {
    std::function<void(JobObserver&)> call;
    void on_progress(const Progress& p) override { call = [p](JobObserver& o) { o.on_progress(p); }; }
    void on_step(const StepMetrics& s) override { call = [s](JobObserver& o) { o.on_step(s); }; }
    void on_epoch(const EpochMetrics& e) override { call = [e](JobObserver& o) { o.on_epoch(e); }; }
    void on_predictions(const PredictionSamples& s) override { call = [s](JobObserver& o) { o.on_predictions(s); }; }
    void on_log(log::Level l, const std::string& m) override { call = [l, m](JobObserver& o) { o.on_log(l, m); }; }
    void on_finished(const TrainSummary& s) override { call = [s](JobObserver& o) { o.on_finished(s); }; }
  } pending;
  try {
    replay(j, pending);
  } catch (const std::exception&) {  // json::exception, std::invalid_argument
    return false;
  }
  if (!pending.call) return false;
  pending.call(observer);
  return true;
}

}  // namespace fovea::engine
