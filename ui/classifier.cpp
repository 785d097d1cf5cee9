#include "ui/classifier.h"

#include <QThread>
#include <climits>
#include <utility>

#include "ui/classifier_worker.h"

namespace fovea::ui {

Classifier::Classifier(QObject* parent)
    : QObject(parent),
      firstWanted_(std::make_shared<std::atomic<int>>(0)),
      thread_(new QThread(this)),
      worker_(new ClassifierWorker(firstWanted_)) {
  registerMetaTypes();
  thread_->setObjectName(QStringLiteral("classifier"));
  worker_->moveToThread(thread_);
  connect(worker_, &ClassifierWorker::modelLoaded, this, &Classifier::modelLoaded);
  connect(worker_, &ClassifierWorker::loadFailed, this, &Classifier::loadFailed);
  connect(worker_, &ClassifierWorker::classified, this, &Classifier::classified);
  connect(worker_, &ClassifierWorker::explained, this, &Classifier::explained);
  thread_->start();
}

Classifier::~Classifier() {
  skipBelow(INT_MAX);  // the queued requests return at once
  thread_->quit();
  thread_->wait();
  delete worker_;  // its thread has ended: nothing else can touch it
}

void Classifier::registerMetaTypes() {
  qRegisterMetaType<ImageClassification>();
  qRegisterMetaType<LoadedModelInfo>();
  qRegisterMetaType<SaliencyResult>();
}

template <typename Call>
void Classifier::post(Call&& call) {
  QMetaObject::invokeMethod(worker_, std::forward<Call>(call), Qt::QueuedConnection);
}

void Classifier::load(const QString& path, const ModelRequest& request) {
  post([worker = worker_, path, request] { worker->load(path, request); });
}

void Classifier::classifyFile(int id, const QString& path) {
  post([worker = worker_, id, path] { worker->classifyFile(id, path); });
}

void Classifier::classifyImage(int id, const QImage& image, const QString& source) {
  post([worker = worker_, id, image, source] { worker->classifyImage(id, image, source); });
}

void Classifier::explainFile(int id, const QString& path, qint64 classIndex) {
  post([worker = worker_, id, path, classIndex] { worker->explainFile(id, path, classIndex); });
}

void Classifier::explainImage(int id, const QImage& image, qint64 classIndex) {
  post([worker = worker_, id, image, classIndex] { worker->explainImage(id, image, classIndex); });
}

void Classifier::explainCrop(int id, const QString& checkpoint, const QImage& crop, qint64 classIndex) {
  post([worker = worker_, id, checkpoint, crop, classIndex] { worker->explainCrop(id, checkpoint, crop, classIndex); });
}

}  // namespace fovea::ui
