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
#include <cmath>

#include "engine/model_catalog.h"
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

  batchSizeSpin_ = new QSpinBox(group);
  batchSizeSpin_->setObjectName(QStringLiteral("batchSizeSpin"));
  batchSizeSpin_->setRange(1, 8192);

  epochsSpin_ = new QSpinBox(group);
  epochsSpin_->setObjectName(QStringLiteral("epochsSpin"));
  epochsSpin_->setRange(1, 1000);

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

  deviceCombo_ = new QComboBox(group);
  deviceCombo_->setObjectName(QStringLiteral("deviceCombo"));
  deviceCombo_->addItem(tr("Automatic (GPU if present)"), QStringLiteral("auto"));
  deviceCombo_->addItem(tr("CPU"), QStringLiteral("cpu"));
  deviceCombo_->addItem(tr("CUDA / ROCm GPU"), QStringLiteral("cuda"));

  auto* layout = new QFormLayout(group);
  layout->addRow(tr("Batch size:"), batchSizeSpin_);
  layout->addRow(tr("Epochs:"), epochsSpin_);
  layout->addRow(tr("Optimizer:"), optimizerCombo_);
  layout->addRow(tr("Learning rate:"), learningRateSpin_);
  layout->addRow(tr("Device:"), deviceCombo_);
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

// The learning rate follows the optimizer's default unless it was changed from the default of the
// optimizer it was shown with.
void TrainSettingsForm::onOptimizerChanged() {
  const engine::OptimizerKind kind = currentOptimizer();
  if (sameLearningRate(learningRateSpin_->value(), engine::default_learning_rate(shownOptimizer_)))
    learningRateSpin_->setValue(engine::default_learning_rate(kind));
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
  engine::TrainConfig config;
  config.model = modelCombo_->currentData().toString().toStdString();
  config.cifar_stem = cifarStemCheck_->isEnabled() && cifarStemCheck_->isChecked();
  config.data_path = datasetPicker_->path().toStdString();
  config.epochs = epochsSpin_->value();
  config.batch_size = batchSizeSpin_->value();
  config.optimizer = currentOptimizer();
  config.learning_rate = learningRateSpin_->value();
  config.device = deviceCombo_->currentData().toString().toStdString();
  return config;
}

void TrainSettingsForm::setConfig(const engine::TrainConfig& config) {
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

bool TrainSettingsForm::isReady() const { return modelCombo_->currentIndex() >= 0 && datasetPicker_->isValid(); }

}  // namespace fovea::ui
