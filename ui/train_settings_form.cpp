#include "ui/train_settings_form.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLocale>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "engine/model_catalog.h"
#include "engine/training/presets.h"
#include "ui/dataset_picker.h"

namespace fovea::ui {

namespace {

constexpr int kLearningRateDecimals = 5;
const QString kDefaultModel = QStringLiteral("resnet18");

bool sameLearningRate(double a, double b) {
  return std::abs(a - b) <= 0.5 * std::pow(10.0, -kLearningRateDecimals);
}

QString optimizerLabel(const QString& name) {
  if (name == QLatin1String("sgd")) return TrainSettingsForm::tr("SGD with momentum");
  if (name == QLatin1String("adam")) return TrainSettingsForm::tr("Adam");
  if (name == QLatin1String("adamw")) return TrainSettingsForm::tr("AdamW (decoupled weight decay)");
  return name;
}

const engine::ModelInfo* findModel(const QString& name) {
  for (const engine::ModelInfo& info : engine::model_catalog()) {
    if (QString::fromStdString(info.name) == name) return &info;
  }
  return nullptr;
}

}  // namespace

TrainSettingsForm::TrainSettingsForm(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(createModelGroup());
  layout->addWidget(createDataGroup());
  layout->addWidget(createTrainingGroup());
  fillModels();
  setConfig(engine::TrainConfig{});
}

QWidget* TrainSettingsForm::createModelGroup() {
  auto* group = new QGroupBox(tr("Model"), this);
  modelCombo_ = new QComboBox(group);
  modelCombo_->setObjectName(QStringLiteral("modelCombo"));
  modelCombo_->setToolTip(tr("The network to train, from scratch; its parameter count and input size show below"));
  cifarStemCheck_ = new QCheckBox(tr("CIFAR stem (3×3, no max-pool)"), group);
  cifarStemCheck_->setObjectName(QStringLiteral("cifarStemCheck"));
  cifarStemCheck_->setToolTip(tr("Replace the 7×7 stride-2 stem and its max-pool by a 3×3 stride-1 "
                                 "convolution: better for small images such as CIFAR-10 or MNIST"));
  modelDetails_ = new QLabel(group);
  modelDetails_->setWordWrap(true);
  modelDetails_->setForegroundRole(QPalette::PlaceholderText);

  auto* layout = new QVBoxLayout(group);
  layout->addWidget(modelCombo_);
  layout->addWidget(cifarStemCheck_);
  layout->addWidget(modelDetails_);
  connect(modelCombo_, &QComboBox::currentIndexChanged, this, [this] {
    updateModelDetails();
    Q_EMIT readyChanged(isReady());
  });
  return group;
}

QWidget* TrainSettingsForm::createDataGroup() {
  auto* group = new QGroupBox(tr("Data set"), this);
  datasetPicker_ = new DatasetPicker(group);
  auto* layout = new QVBoxLayout(group);
  layout->addWidget(datasetPicker_);
  connect(datasetPicker_, &DatasetPicker::validityChanged, this, [this] { Q_EMIT readyChanged(isReady()); });
  return group;
}

QWidget* TrainSettingsForm::createTrainingGroup() {
  auto* group = new QGroupBox(tr("Training"), this);

  presetCombo_ = new QComboBox(group);
  presetCombo_->setObjectName(QStringLiteral("presetCombo"));
  presetCombo_->addItem(tr("Custom"), QString());
  for (const engine::TrainPreset& preset : engine::train_presets()) {
    presetCombo_->addItem(QString::fromStdString(preset.name), QString::fromStdString(preset.name));
    presetCombo_->setItemData(presetCombo_->count() - 1, QString::fromStdString(preset.description), Qt::ToolTipRole);
  }
  presetCombo_->setToolTip(tr("A published recipe as a starting point: it sets the model and every "
                              "hyperparameter; change any of them afterwards"));
  connect(presetCombo_, &QComboBox::activated, this, &TrainSettingsForm::applyPreset);

  batchSizeSpin_ = new QSpinBox(group);
  batchSizeSpin_->setObjectName(QStringLiteral("batchSizeSpin"));
  batchSizeSpin_->setRange(1, 8192);

  epochsSpin_ = new QDoubleSpinBox(group);  // fractions end part-way through the last epoch (airbench: 9.9)
  epochsSpin_->setObjectName(QStringLiteral("epochsSpin"));
  epochsSpin_->setRange(0.1, 1000);
  epochsSpin_->setDecimals(1);

  optimizerCombo_ = new QComboBox(group);
  optimizerCombo_->setObjectName(QStringLiteral("optimizerCombo"));
  for (const std::string& name : engine::optimizer_names()) {
    const QString id = QString::fromStdString(name);
    optimizerCombo_->addItem(optimizerLabel(id), id);
  }

  learningRateSpin_ = new QDoubleSpinBox(group);
  learningRateSpin_->setObjectName(QStringLiteral("learningRateSpin"));
  learningRateSpin_->setDecimals(kLearningRateDecimals);
  learningRateSpin_->setRange(std::pow(10.0, -kLearningRateDecimals), 10.0);
  learningRateSpin_->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
  learningRateSpin_->setToolTip(tr("Peak learning rate of the cosine schedule; follows the optimizer's "
                                   "default until you change it"));

  weightDecaySpin_ = new QDoubleSpinBox(group);
  weightDecaySpin_->setObjectName(QStringLiteral("weightDecaySpin"));
  weightDecaySpin_->setDecimals(7);
  weightDecaySpin_->setRange(0, 1);
  weightDecaySpin_->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
  weightDecaySpin_->setToolTip(tr("L2 penalty (SGD, Adam) or decoupled decay (AdamW) on the weights"));

  scheduleCombo_ = new QComboBox(group);
  scheduleCombo_->setObjectName(QStringLiteral("scheduleCombo"));
  for (const std::string& name : engine::schedule_names()) scheduleCombo_->addItem(QString::fromStdString(name),
                                                                                   QString::fromStdString(name));
  scheduleCombo_->setToolTip(tr("How the learning rate changes after the warm-up: constant, cosine to zero, "
                                "step decay, or linear to zero"));

  warmupSpin_ = new QDoubleSpinBox(group);
  warmupSpin_->setObjectName(QStringLiteral("warmupSpin"));
  warmupSpin_->setRange(0, 1000);
  warmupSpin_->setDecimals(1);
  warmupSpin_->setSuffix(tr(" epochs"));
  warmupSpin_->setToolTip(tr("The learning rate rises linearly from zero over this many epochs"));

  labelSmoothingSpin_ = new QDoubleSpinBox(group);
  labelSmoothingSpin_->setObjectName(QStringLiteral("labelSmoothingSpin"));
  labelSmoothingSpin_->setRange(0, 0.99);
  labelSmoothingSpin_->setSingleStep(0.05);
  labelSmoothingSpin_->setToolTip(tr("Share of the target probability spread over the other classes"));

  emaSpin_ = new QDoubleSpinBox(group);
  emaSpin_->setObjectName(QStringLiteral("emaSpin"));
  emaSpin_->setRange(0, 0.99999);
  emaSpin_->setDecimals(5);
  emaSpin_->setSingleStep(0.001);
  emaSpin_->setSpecialValueText(tr("Off"));
  emaSpin_->setToolTip(tr("Keep an exponential moving average of the weights with this decay per step, "
                          "and evaluate it too"));

  deviceCombo_ = new QComboBox(group);
  deviceCombo_->setObjectName(QStringLiteral("deviceCombo"));
  deviceCombo_->addItem(tr("Automatic (GPU if present)"), QStringLiteral("auto"));
  deviceCombo_->addItem(tr("CPU"), QStringLiteral("cpu"));
  deviceCombo_->addItem(tr("CUDA / ROCm GPU"), QStringLiteral("cuda"));

  batchSizeSpin_->setToolTip(tr("Images per optimizer step"));
  epochsSpin_->setToolTip(tr("Passes over the training images"));
  optimizerCombo_->setToolTip(tr("The update rule for the weights"));
  deviceCombo_->setToolTip(tr("Where to train: the GPU is much faster when there is one"));

  gpusSpin_ = new QSpinBox(group);
  gpusSpin_->setObjectName(QStringLiteral("gpusSpin"));
  setAvailableGpus(0, false);

  auto* layout = new QFormLayout(group);
  layout->addRow(tr("Preset:"), presetCombo_);
  layout->addRow(tr("Batch size:"), batchSizeSpin_);
  layout->addRow(tr("Epochs:"), epochsSpin_);
  layout->addRow(tr("Optimizer:"), optimizerCombo_);
  layout->addRow(tr("Learning rate:"), learningRateSpin_);
  layout->addRow(tr("Weight decay:"), weightDecaySpin_);
  layout->addRow(tr("Schedule:"), scheduleCombo_);
  layout->addRow(tr("Warm-up:"), warmupSpin_);
  layout->addRow(tr("Label smoothing:"), labelSmoothingSpin_);
  layout->addRow(tr("Weight average:"), emaSpin_);
  layout->addRow(tr("Device:"), deviceCombo_);
  layout->addRow(tr("GPUs:"), gpusSpin_);
  connect(optimizerCombo_, &QComboBox::currentIndexChanged, this, &TrainSettingsForm::onOptimizerChanged);
  return group;
}

void TrainSettingsForm::fillModels() {
  for (const engine::ModelInfo& info : engine::model_catalog()) {
    const QString name = QString::fromStdString(info.name);
    modelCombo_->addItem(name, name);
    modelCombo_->setItemData(modelCombo_->count() - 1, QString::fromStdString(info.description), Qt::ToolTipRole);
  }
}

void TrainSettingsForm::updateModelDetails() {
  const engine::ModelInfo* info = findModel(modelCombo_->currentData().toString());
  if (!info) {
    modelDetails_->clear();
    cifarStemCheck_->setEnabled(false);
    return;
  }
  modelDetails_->setText(tr("%1 · %2 M parameters")
                             .arg(QString::fromStdString(info->description),
                                  QLocale().toString(double(engine::model_parameter_count(info->name)) / 1e6, 'f', 1)));
  cifarStemCheck_->setEnabled(info->family == "resnet");
}

engine::OptimizerKind TrainSettingsForm::currentOptimizer() const {
  return engine::parse_optimizer(optimizerCombo_->currentData().toString().toStdString());
}

// A preset rewrites the whole configuration but for the data set and the device.
void TrainSettingsForm::applyPreset() {
  const QString name = presetCombo_->currentData().toString();
  if (name.isEmpty()) return;
  engine::TrainConfig current = config();
  engine::apply_preset(name.toStdString(), current);
  setConfig(current);
}

// The learning rate follows the optimizer's default unless it was changed from the default of the
// optimizer it was shown with.
void TrainSettingsForm::onOptimizerChanged() {
  const engine::OptimizerKind kind = currentOptimizer();
  if (sameLearningRate(learningRateSpin_->value(), engine::default_learning_rate(shownOptimizer_)))
    learningRateSpin_->setValue(engine::default_learning_rate(kind));
  if (std::abs(weightDecaySpin_->value() - engine::default_weight_decay(shownOptimizer_)) < 1e-9)
    weightDecaySpin_->setValue(engine::default_weight_decay(kind));
  shownOptimizer_ = kind;
}

void TrainSettingsForm::selectData(QComboBox* combo, const QString& value) {
  int index = combo->findData(value);
  if (index < 0) {
    combo->addItem(value, value);
    index = combo->count() - 1;
  }
  combo->setCurrentIndex(index);
}

engine::TrainConfig TrainSettingsForm::config() const {
  engine::TrainConfig config = recipe_;
  config.preset = presetCombo_->currentData().toString().toStdString();
  config.model = modelCombo_->currentData().toString().toStdString();
  config.cifar_stem = cifarStemCheck_->isEnabled() && cifarStemCheck_->isChecked();
  config.data_path = datasetPicker_->path().toStdString();
  config.epochs = epochsSpin_->value();
  config.batch_size = batchSizeSpin_->value();
  config.optimizer = currentOptimizer();
  config.learning_rate = learningRateSpin_->value();
  config.weight_decay = weightDecaySpin_->value();
  config.schedule = engine::parse_schedule(scheduleCombo_->currentData().toString().toStdString());
  config.warmup_epochs = warmupSpin_->value();
  config.label_smoothing = labelSmoothingSpin_->value();
  config.ema_decay = emaSpin_->value();
  config.device = deviceCombo_->currentData().toString().toStdString();
  return config;
}

void TrainSettingsForm::setConfig(const engine::TrainConfig& config) {
  recipe_ = config;
  {
    const QSignalBlocker blocker(presetCombo_);
    const int preset = presetCombo_->findData(QString::fromStdString(config.preset));
    presetCombo_->setCurrentIndex(preset < 0 ? 0 : preset);
  }
  weightDecaySpin_->setValue(config.weight_decay >= 0 ? config.weight_decay
                                                      : engine::default_weight_decay(config.optimizer));
  scheduleCombo_->setCurrentIndex(scheduleCombo_->findData(QString::fromLatin1(engine::schedule_name(config.schedule))));
  warmupSpin_->setValue(config.warmup_epochs);
  labelSmoothingSpin_->setValue(config.label_smoothing);
  emaSpin_->setValue(config.ema_decay);
  int model = modelCombo_->findData(QString::fromStdString(config.model));
  if (model < 0) model = modelCombo_->findData(kDefaultModel);
  modelCombo_->setCurrentIndex(model < 0 ? 0 : model);
  cifarStemCheck_->setChecked(config.cifar_stem);
  batchSizeSpin_->setValue(int(config.batch_size));
  epochsSpin_->setValue(config.epochs);
  {
    const QSignalBlocker blocker(optimizerCombo_);
    optimizerCombo_->setCurrentIndex(optimizerCombo_->findData(QString::fromLatin1(engine::optimizer_name(config.optimizer))));
  }
  shownOptimizer_ = config.optimizer;
  learningRateSpin_->setValue(config.learning_rate > 0 ? config.learning_rate
                                                       : engine::default_learning_rate(config.optimizer));
  selectData(deviceCombo_, QString::fromStdString(config.device));
  datasetPicker_->setPath(QString::fromStdString(config.data_path));
  updateModelDetails();
  Q_EMIT readyChanged(isReady());
}

void TrainSettingsForm::setAvailableGpus(int gpus, bool cpuWorkers) {
  if (cpuWorkers) {
    gpusSpin_->setRange(1, std::max(gpus, kMaxCpuWorkers));
    gpusSpin_->setEnabled(true);
    gpusSpin_->setToolTip(tr("Data-parallel training in this many worker processes: one per GPU; without GPUs, "
                             "CPU processes over Gloo (FOVEA_ALLOW_CPU_WORKERS is set). The batch size is the "
                             "global batch, split evenly. A run in several processes cannot pause."));
  } else if (gpus >= 2) {
    gpusSpin_->setRange(1, gpus);
    gpusSpin_->setEnabled(true);
    gpusSpin_->setToolTip(tr("Data-parallel training on this many of the %n GPUs, one worker process each; the "
                             "batch size is the global batch, split evenly. A run on several GPUs cannot pause.",
                             nullptr, gpus));
  } else {
    gpusSpin_->setRange(1, 1);
    gpusSpin_->setEnabled(false);
    gpusSpin_->setToolTip(gpus == 1 ? tr("Training on several GPUs needs at least two; this computer has one")
                                    : tr("Training on several GPUs needs at least two; this computer has none"));
  }
}

int TrainSettingsForm::workerProcesses() const { return gpusSpin_->value(); }  // 1 when disabled (its range)

void TrainSettingsForm::setWorkerProcesses(int processes) { gpusSpin_->setValue(processes); }

bool TrainSettingsForm::isReady() const { return modelCombo_->currentIndex() >= 0 && datasetPicker_->isValid(); }

}  // namespace fovea::ui
