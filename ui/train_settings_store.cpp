#include "ui/train_settings_store.h"

#include <QSettings>
#include <QString>

#include "engine/data/dataset_info.h"
#include "engine/errors.h"

namespace fovea::ui {

namespace {

const QString kGroup = QStringLiteral("train");
const QString kModel = QStringLiteral("model");
const QString kCifarStem = QStringLiteral("cifarStem");
const QString kDataPath = QStringLiteral("dataPath");
const QString kBatchSize = QStringLiteral("batchSize");
const QString kEpochs = QStringLiteral("epochs");
const QString kLearningRate = QStringLiteral("learningRate");
const QString kOptimizer = QStringLiteral("optimizer");
const QString kDevice = QStringLiteral("device");

engine::OptimizerKind optimizerOr(const QString& name, engine::OptimizerKind fallback) {
  try {
    return engine::parse_optimizer(name.toStdString());
  } catch (const engine::ConfigError&) {
    return fallback;
  }
}

}  // namespace

engine::TrainConfig loadTrainSettings() {
  engine::TrainConfig config;
  QSettings settings;
  settings.beginGroup(kGroup);
  config.model = settings.value(kModel, QString::fromStdString(config.model)).toString().toStdString();
  config.cifar_stem = settings.value(kCifarStem, config.cifar_stem).toBool();
  const QString dataPath = settings.value(kDataPath).toString();
  config.data_path = dataPath.isEmpty() ? engine::system_fashion_mnist_path() : dataPath.toStdString();
  config.batch_size = settings.value(kBatchSize, qlonglong(config.batch_size)).toLongLong();
  config.epochs = settings.value(kEpochs, config.epochs).toInt();
  config.optimizer = optimizerOr(settings.value(kOptimizer).toString(), config.optimizer);
  config.learning_rate =
      settings.value(kLearningRate, engine::default_learning_rate(config.optimizer)).toDouble();
  config.device = settings.value(kDevice, QString::fromStdString(config.device)).toString().toStdString();
  settings.endGroup();
  return config;
}

void saveTrainSettings(const engine::TrainConfig& config) {
  QSettings settings;
  settings.beginGroup(kGroup);
  settings.setValue(kModel, QString::fromStdString(config.model));
  settings.setValue(kCifarStem, config.cifar_stem);
  settings.setValue(kDataPath, QString::fromStdString(config.data_path));
  settings.setValue(kBatchSize, qlonglong(config.batch_size));
  settings.setValue(kEpochs, config.epochs);
  settings.setValue(kLearningRate, config.learning_rate);
  settings.setValue(kOptimizer, QString::fromLatin1(engine::optimizer_name(config.optimizer)));
  settings.setValue(kDevice, QString::fromStdString(config.device));
  settings.endGroup();
}

}  // namespace fovea::ui
