#include "ui/classifier_worker.h"

#include <QFileInfo>
#include <QImageReader>
#include <climits>
#include <cstring>
#include <optional>

#include <ATen/ATen.h>

#include "engine/data/image_transform.h"
#include "engine/device.h"
#include "engine/errors.h"
#include "engine/predictor.h"
#include "engine/weights_file.h"

namespace fovea::ui {

namespace {

constexpr int kPreviewSide = 320;

// The engine's messages start with the file's path; the page shows the file's name above the message.
QString withoutSource(const std::string& message, const QString& source) {
  QString text = QString::fromStdString(message);
  const QString prefix = source + QStringLiteral(": ");
  if (text.startsWith(prefix)) text.remove(0, prefix.size());
  return text;
}

QString tooLarge(QSize size) {
  return ClassifierWorker::tr("%1 × %2 pixels is too large to classify (the limit is %3 megapixels)")
      .arg(size.width())
      .arg(size.height())
      .arg(ClassifierWorker::kMaxPixels / 1000000);
}

bool isTooLarge(QSize size) { return size.isValid() && qint64(size.width()) * size.height() > ClassifierWorker::kMaxPixels; }

// A scaled-down deep copy of RGB uint8 HWC pixels.
QImage previewOf(const at::Tensor& rgb) {
  const int height = int(rgb.size(0)), width = int(rgb.size(1));
  const QImage view(rgb.data_ptr<uint8_t>(), width, height, qsizetype(width) * 3, QImage::Format_RGB888);
  if (width <= kPreviewSide && height <= kPreviewSide) return view.copy();
  return view.scaled(kPreviewSide, kPreviewSide, Qt::KeepAspectRatio, Qt::SmoothTransformation);
}

at::Tensor toRgbTensor(const QImage& image) {
  const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
  at::Tensor out = at::empty({rgb.height(), rgb.width(), 3}, at::kByte);
  const size_t row = size_t(rgb.width()) * 3;
  for (int y = 0; y < rgb.height(); ++y) std::memcpy(out.data_ptr<uint8_t>() + y * row, rgb.constScanLine(y), row);
  return out;
}

}  // namespace

struct ClassifierWorker::State {
  std::optional<c10::Device> device;
  std::unique_ptr<engine::Predictor> predictor;

  ImageClassification classify(int id, const QString& source, const at::Tensor& rgb) const {
    ImageClassification out;
    out.id = id;
    out.source = source;
    out.size = QSize(int(rgb.size(1)), int(rgb.size(0)));
    out.preview = previewOf(rgb);
    out.model = QString::fromStdString(predictor->loaded().spec.name);
    const engine::ImagePrediction p = predictor->classify(rgb, source.toStdString(), kTopK);
    out.milliseconds = p.milliseconds;
    out.error = p.error.empty() ? QString() : withoutSource(p.error, source);
    for (const engine::ClassScore& c : p.top)
      out.top.append({QString::fromStdString(c.name), qint64(c.index), double(c.probability)});
    return out;
  }
};

ClassifierWorker::ClassifierWorker(std::shared_ptr<std::atomic<int>> firstWanted)
    : firstWanted_(std::move(firstWanted)), state_(std::make_unique<State>()) {}

ClassifierWorker::~ClassifierWorker() = default;

ImageClassification ClassifierWorker::refusal(int id, const QString& source, const QString& message) const {
  ImageClassification out;
  out.id = id;
  out.source = source;
  out.error = message;
  return out;
}

void ClassifierWorker::load(const QString& path, const QString& model) {
  if (firstWanted_->load() == INT_MAX) return;  // closing
  const std::string file = path.toStdString();
  bool hasMetadata = false;
  try {
    hasMetadata = !engine::read_fovea_metadata(file).empty();
  } catch (const std::exception&) {
    // Not safetensors (a .pth file) or unreadable: load_model says which.
  }
  engine::ModelChoice choice;
  if (!hasMetadata) choice.model = model.toStdString();
  try {
    if (!state_->device) {
      engine::use_all_cpu_cores();  // this thread's setting
      state_->device = engine::resolve_device("auto");
    }
    engine::LoadedModel loaded = engine::load_model(file, choice);
    LoadedModelInfo info;
    info.path = path;
    info.model = QString::fromStdString(loaded.spec.name);
    info.classes = int(loaded.spec.num_classes);
    info.device = QString::fromStdString(engine::describe_device(*state_->device));
    info.fromMetadata = loaded.from_metadata;
    info.choice = QString::fromStdString(choice.model);
    for (const std::string& note : loaded.notes) info.notes.append(QString::fromStdString(note));
    // The previous model stays in use until the new one is ready.
    state_->predictor = std::make_unique<engine::Predictor>(std::move(loaded), *state_->device);
    Q_EMIT modelLoaded(info);
  } catch (const engine::ConfigError& e) {
    QString message = QString::fromStdString(e.what());
    if (!hasMetadata && model.isEmpty()) message += QLatin1Char('\n') + tr("Choose the model in the list: the file then loads again.");
    Q_EMIT loadFailed(path, message);
  } catch (const std::exception& e) {
    Q_EMIT loadFailed(path, QString::fromStdString(e.what()));
  }
}

void ClassifierWorker::classifyFile(int id, const QString& path) {
  if (!wanted(id)) return;
  if (!state_->predictor) {
    Q_EMIT classified(refusal(id, path, tr("No model is loaded: open a checkpoint first.")));
    return;
  }
  if (!QFileInfo(path).isFile()) {
    Q_EMIT classified(refusal(id, path, tr("not a file")));
    return;
  }
  // Only the header is read here; formats Qt cannot read leave the size unknown and the decoder decides.
  const QSize size = QImageReader(path).size();
  if (isTooLarge(size)) {
    ImageClassification out = refusal(id, path, tooLarge(size));
    out.size = size;
    Q_EMIT classified(out);
    return;
  }
  at::Tensor rgb;
  try {
    rgb = engine::read_rgb_image(path.toStdString());
  } catch (const std::exception& e) {
    Q_EMIT classified(refusal(id, path, withoutSource(e.what(), path)));
    return;
  }
  Q_EMIT classified(state_->classify(id, path, rgb));
}

void ClassifierWorker::classifyImage(int id, const QImage& image, const QString& source) {
  if (!wanted(id)) return;
  if (!state_->predictor) {
    Q_EMIT classified(refusal(id, source, tr("No model is loaded: open a checkpoint first.")));
    return;
  }
  if (image.isNull()) {
    Q_EMIT classified(refusal(id, source, tr("no image")));
    return;
  }
  if (isTooLarge(image.size())) {
    Q_EMIT classified(refusal(id, source, tooLarge(image.size())));
    return;
  }
  Q_EMIT classified(state_->classify(id, source, toRgbTensor(image)));
}

}  // namespace fovea::ui
