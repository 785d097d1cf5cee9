// The Classify page's engine work, on a thread of its own (ui/classifier.h owns the thread): loading a
// checkpoint into a Predictor, classifying files and pasted images with it and explaining them with
// Grad-CAM maps. Requests arrive as
// queued calls, so they run one at a time in the order they were made; results leave as signals,
// which reach GUI-thread receivers queued. The Predictor (LibTorch) stays behind a pimpl.
#pragma once

#include <QImage>
#include <QObject>
#include <QString>
#include <atomic>
#include <memory>

#include "ui/classification.h"

namespace fovea::ui {

class ClassifierWorker final : public QObject {
  Q_OBJECT

 public:
  // Larger images are refused before decoding (the decoder would allocate gigabytes).
  static constexpr qint64 kMaxPixels = qint64{100} * 1000 * 1000;
  static constexpr int kTopK = 5;

  // `firstWanted`: requests with a smaller id are skipped (the page cleared their rows, or is closing).
  explicit ClassifierWorker(std::shared_ptr<std::atomic<int>> firstWanted);
  ~ClassifierWorker() override;

  // Without Fovea metadata in the file, `request` says what to build.
  void load(const QString& path, const ModelRequest& request);
  void classifyFile(int id, const QString& path);
  void classifyImage(int id, const QImage& image, const QString& source);
  // Grad-CAM of `classIndex` (negative: the best class) through the model's preprocessing, as classified.
  void explainFile(int id, const QString& path, qint64 classIndex);
  void explainImage(int id, const QImage& image, qint64 classIndex);
  // Grad-CAM of an image that is already the model's input (an evaluation's crop), with the model loaded
  // from `checkpoint` only: a failed load must not explain it with the previous model.
  void explainCrop(int id, const QString& checkpoint, const QImage& crop, qint64 classIndex);

 Q_SIGNALS:
  void modelLoaded(const fovea::ui::LoadedModelInfo& info);
  void loadFailed(const QString& path, const QString& message);
  void classified(const fovea::ui::ImageClassification& result);
  void explained(const fovea::ui::SaliencyResult& result);

 private:
  struct State;
  bool wanted(int id) const { return id >= firstWanted_->load(); }
  ImageClassification refusal(int id, const QString& source, const QString& message) const;
  void explainFailed(int id, qint64 classIndex, const QString& message);

  std::shared_ptr<std::atomic<int>> firstWanted_;
  std::unique_ptr<State> state_;
};

}  // namespace fovea::ui
