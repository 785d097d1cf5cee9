#include "ui/train_settings_store.h"

#include <QSettings>
#include <QString>

#include "engine/data/dataset_info.h"
#include "engine/errors.h"
#include "engine/training/presets.h"

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
const QString kPreset = QStringLiteral("preset");
const QString kWeightDecay = QStringLiteral("weightDecay");
const QString kSchedule = QStringLiteral("schedule");
const QString kWarmup = QStringLiteral("warmupEpochs");
const QString kLabelSmoothing = QStringLiteral("labelSmoothing");
const QString kEma = QStringLiteral("emaDecay");

engine::OptimizerKind optimizerOr(const QString& name, engine::OptimizerKind fallback) {
  try {
    return engine::parse_optimizer(name.toStdString());
  } catch (const engine::ConfigError&) {
    return fallback;
  }
}

engine::LrSchedule scheduleOr(const QString& name, engine::LrSchedule fallback) {
  try {
    return engine::parse_schedule(name.toStdString());
  } catch (const engine::ConfigError&) {
    return fallback;
  }
}

}  // namespace

engine::TrainConfig loadTrainSettings() {
  engine::TrainConfig config;
  QSettings settings;
  settings.beginGroup(kGroup);
  // The preset first (it sets what the form does not show), then the fields as they were left.
  const QString preset = settings.value(kPreset).toString();
  try {
    if (!preset.isEmpty()) engine::apply_preset(preset.toStdString(), config);
  } catch (const engine::ConfigError&) {  // a preset of another version: start from the defaults
  }
  config.model = settings.value(kModel, QString::fromStdString(config.model)).toString().toStdString();
  config.cifar_stem = settings.value(kCifarStem, config.cifar_stem).toBool();
  const QString dataPath = settings.value(kDataPath).toString();
  config.data_path = dataPath.isEmpty() ? engine::system_fashion_mnist_path() : dataPath.toStdString();
  config.batch_size = settings.value(kBatchSize, qlonglong(config.batch_size)).toLongLong();
  config.epochs = settings.value(kEpochs, config.epochs).toDouble();
  config.optimizer = optimizerOr(settings.value(kOptimizer).toString(), config.optimizer);
  config.learning_rate =
      settings.value(kLearningRate, engine::default_learning_rate(config.optimizer)).toDouble();
  config.device = settings.value(kDevice, QString::fromStdString(config.device)).toString().toStdString();
  config.weight_decay = settings.value(kWeightDecay, engine::default_weight_decay(config.optimizer)).toDouble();
  config.schedule = scheduleOr(settings.value(kSchedule).toString(), config.schedule);
  config.warmup_epochs = settings.value(kWarmup, config.warmup_epochs).toDouble();
  config.label_smoothing = settings.value(kLabelSmoothing, config.label_smoothing).toDouble();
  config.ema_decay = settings.value(kEma, config.ema_decay).toDouble();
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
  settings.setValue(kPreset, QString::fromStdString(config.preset));
  settings.setValue(kWeightDecay, config.weight_decay);
  settings.setValue(kSchedule, QString::fromLatin1(engine::schedule_name(config.schedule)));
  settings.setValue(kWarmup, config.warmup_epochs);
  settings.setValue(kLabelSmoothing, config.label_smoothing);
  settings.setValue(kEma, config.ema_decay);
  settings.endGroup();
}

}  // namespace fovea::ui
