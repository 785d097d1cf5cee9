// The GUI thread's handle on the classifier worker: owns its thread, forwards requests to it as queued
// calls and its results as signals (delivered on the GUI thread). Destroying the handle drops the
// requests still queued and waits only for the one in progress.
#pragma once

#include <QImage>
#include <QObject>
#include <QString>
#include <atomic>
#include <memory>

#include "ui/classification.h"

class QThread;

namespace fovea::ui {

class ClassifierWorker;

class Classifier final : public QObject {
  Q_OBJECT

 public:
  explicit Classifier(QObject* parent = nullptr);
  ~Classifier() override;

  static void registerMetaTypes();

  void load(const QString& path, const QString& model) { load(path, ModelRequest{model}); }
  void load(const QString& path, const ModelRequest& request);
  void classifyFile(int id, const QString& path);
  void classifyImage(int id, const QImage& image, const QString& source);
  void explainFile(int id, const QString& path, qint64 classIndex);
  void explainImage(int id, const QImage& image, qint64 classIndex);
  void explainCrop(int id, const QString& checkpoint, const QImage& crop, qint64 classIndex);
  // Requests with an id below `id` that have not started are skipped.
  void skipBelow(int id) { firstWanted_->store(id); }

 Q_SIGNALS:
  void modelLoaded(const fovea::ui::LoadedModelInfo& info);
  void loadFailed(const QString& path, const QString& message);
  void classified(const fovea::ui::ImageClassification& result);
  void explained(const fovea::ui::SaliencyResult& result);

 private:
  template <typename Call>
  void post(Call&& call);

  std::shared_ptr<std::atomic<int>> firstWanted_;
  QThread* thread_;
  ClassifierWorker* worker_;
};

}  // namespace fovea::ui
