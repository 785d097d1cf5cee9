#include "ui/classifier_worker.h"

#include <QFileInfo>
#include <QImageReader>
#include <climits>
#include <cstring>
#include <optional>

#include <ATen/ATen.h>
#include <torch/autograd.h>

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

// A deep copy of RGB uint8 HWC pixels at their own size.
QImage toQImage(const at::Tensor& rgb) {
  const at::Tensor pixels = rgb.contiguous();
  const int height = int(pixels.size(0)), width = int(pixels.size(1));
  return QImage(pixels.data_ptr<uint8_t>(), width, height, qsizetype(width) * 3, QImage::Format_RGB888).copy();
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
  QString path;  // the predictor's checkpoint

  SaliencyResult saliencyResult(int id, qint64 asked, const std::optional<engine::SaliencyMap>& map) const {
    SaliencyResult out;
    out.id = id;
    out.classIndex = asked;
    if (!map) {
      out.unsupported = true;
      return out;
    }
    out.classIndex = map->class_index;
    out.className = QString::fromStdString(predictor->class_names().at(size_t(map->class_index)));
    out.crop = toQImage(map->image);
    out.overlay = toQImage(map->overlay);
    return out;
  }

  // The evaluation fed `rgb` to the model as it is: no resize or crop again, only the normalisation.
  std::optional<engine::SaliencyMap> saliencyOfInput(const at::Tensor& rgb, int64_t classIndex) const {
    return predictor->saliency_of_input(rgb, classIndex);
  }

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

void ClassifierWorker::load(const QString& path, const ModelRequest& request) {
  const QString& model = request.model;
  if (firstWanted_->load() == INT_MAX) return;  // closing
  state_->path.clear();  // explainCrop() must not take the previous model for this one
  const std::string file = path.toStdString();
  bool hasMetadata = false;
  try {
    hasMetadata = !engine::read_fovea_metadata(file).empty();
  } catch (const std::exception&) {
    // Not safetensors (a .pth file) or unreadable: load_model says which.
  }
  engine::ModelChoice choice;
  if (!hasMetadata) {
    choice.model = model.toStdString();
    choice.num_classes = request.classes;
    choice.in_channels = request.channels;
    choice.image_size = request.imageSize;
    choice.cifar_stem = request.cifarStem;
  }
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
    state_->path = path;
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

void ClassifierWorker::explainFailed(int id, qint64 classIndex, const QString& message) {
  SaliencyResult out;
  out.id = id;
  out.classIndex = classIndex;
  out.error = message;
  Q_EMIT explained(out);
}

// Files are read again rather than kept: a folder of photos would otherwise stay decoded in memory.
void ClassifierWorker::explainFile(int id, const QString& path, qint64 classIndex) {
  if (!wanted(id)) return;
  if (!state_->predictor) return explainFailed(id, classIndex, tr("No model is loaded: open a checkpoint first."));
  if (const QSize size = QImageReader(path).size(); isTooLarge(size)) return explainFailed(id, classIndex, tooLarge(size));
  try {
    const at::Tensor rgb = engine::read_rgb_image(path.toStdString());
    Q_EMIT explained(state_->saliencyResult(id, classIndex, state_->predictor->saliency(rgb, classIndex)));
  } catch (const std::exception& e) {
    explainFailed(id, classIndex, withoutSource(e.what(), path));
  }
}

void ClassifierWorker::explainImage(int id, const QImage& image, qint64 classIndex) {
  if (!wanted(id)) return;
  if (!state_->predictor) return explainFailed(id, classIndex, tr("No model is loaded: open a checkpoint first."));
  if (image.isNull() || isTooLarge(image.size())) return explainFailed(id, classIndex, tr("no image"));
  try {
    Q_EMIT explained(state_->saliencyResult(id, classIndex, state_->predictor->saliency(toRgbTensor(image), classIndex)));
  } catch (const std::exception& e) {
    explainFailed(id, classIndex, QString::fromStdString(e.what()));
  }
}

void ClassifierWorker::explainCrop(int id, const QString& checkpoint, const QImage& crop, qint64 classIndex) {
  if (!wanted(id)) return;
  if (!state_->predictor || state_->path != checkpoint)
    return explainFailed(id, classIndex, tr("The model of %1 could not be loaded.").arg(QFileInfo(checkpoint).fileName()));
  if (crop.isNull()) return explainFailed(id, classIndex, tr("no image"));
  try {
    Q_EMIT explained(state_->saliencyResult(id, classIndex, state_->saliencyOfInput(toRgbTensor(crop), classIndex)));
  } catch (const std::exception& e) {
    explainFailed(id, classIndex, QString::fromStdString(e.what()));
  }
}

}  // namespace fovea::ui
