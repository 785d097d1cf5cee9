#include "ui/eval_settings_form.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <exception>

#include "engine/model_catalog.h"
#include "engine/weights_file.h"
#include "ui/dataset_picker.h"
#include "ui/theme.h"

namespace fovea::ui {

namespace {

const QString kCheckpointKey = QStringLiteral("evaluatePage/checkpoint");
const QString kModelKey = QStringLiteral("evaluatePage/model");
const QString kDataKey = QStringLiteral("evaluatePage/data");
const QString kDeviceKey = QStringLiteral("evaluatePage/device");
const QString kBatchSizeKey = QStringLiteral("evaluatePage/batchSize");
constexpr int kDefaultBatchSize = 128;

// The model a Fovea checkpoint names; empty when it names none.
QString metadataModel(const std::string& json) {
  const QJsonObject root = QJsonDocument::fromJson(QByteArray::fromStdString(json)).object();
  return root.value(QStringLiteral("model")).toObject().value(QStringLiteral("name")).toString();
}

}  // namespace

EvalSettingsForm::EvalSettingsForm(QWidget* parent) : QWidget(parent) {
  auto* dataGroup = new QGroupBox(tr("Data set"), this);
  datasetPicker_ = new DatasetPicker(dataGroup);
  (new QVBoxLayout(dataGroup))->addWidget(datasetPicker_);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(createModelGroup());
  layout->addWidget(dataGroup);
  layout->addWidget(createRunGroup());

  connect(datasetPicker_, &DatasetPicker::validityChanged, this, &EvalSettingsForm::updateReady);
  inspectCheckpoint();
}

QWidget* EvalSettingsForm::createModelGroup() {
  auto* group = new QGroupBox(tr("Checkpoint"), this);
  checkpointEdit_ = new QLineEdit(group);
  checkpointEdit_->setObjectName(QStringLiteral("evalCheckpointEdit"));
  checkpointEdit_->setPlaceholderText(tr("Fovea checkpoint, safetensors or PyTorch .pth"));
  checkpointEdit_->setClearButtonEnabled(true);
  checkpointEdit_->setToolTip(tr("The weights to evaluate: a Fovea checkpoint, a safetensors file or a PyTorch .pth/.pt file"));
  openButton_ = new QPushButton(tr("Open…"), group);
  openButton_->setObjectName(QStringLiteral("evalOpenCheckpointButton"));
  openButton_->setToolTip(tr("Choose the checkpoint file"));
  checkpointNote_ = new QLabel(group);
  checkpointNote_->setObjectName(QStringLiteral("evalCheckpointNote"));
  checkpointNote_->setWordWrap(true);
  modelCombo_ = new QComboBox(group);
  modelCombo_->setObjectName(QStringLiteral("evalModelCombo"));
  modelCombo_->addItem(tr("Choose…"), QString());
  for (const engine::ModelInfo& entry : engine::model_catalog()) {
    const QString name = QString::fromStdString(entry.name);
    modelCombo_->addItem(name, name);
    modelCombo_->setItemData(modelCombo_->count() - 1, QString::fromStdString(entry.description), Qt::ToolTipRole);
  }
  modelCombo_->setToolTip(tr("The model a checkpoint without Fovea metadata holds (Fovea's checkpoints say it themselves); "
                             "its class count comes from the data set"));

  auto* fileRow = new QHBoxLayout;
  fileRow->addWidget(checkpointEdit_, 1);
  fileRow->addWidget(openButton_);
  auto* form = new QFormLayout;
  form->addRow(tr("Model:"), modelCombo_);
  auto* layout = new QVBoxLayout(group);
  layout->addLayout(fileRow);
  layout->addWidget(checkpointNote_);
  layout->addLayout(form);

  connect(openButton_, &QPushButton::clicked, this, &EvalSettingsForm::chooseCheckpoint);
  connect(checkpointEdit_, &QLineEdit::textChanged, this, &EvalSettingsForm::inspectCheckpoint);
  connect(modelCombo_, &QComboBox::currentIndexChanged, this, &EvalSettingsForm::updateReady);
  return group;
}

QWidget* EvalSettingsForm::createRunGroup() {
  auto* group = new QGroupBox(tr("Evaluation"), this);
  deviceCombo_ = new QComboBox(group);
  deviceCombo_->setObjectName(QStringLiteral("evalDeviceCombo"));
  deviceCombo_->addItem(tr("Automatic (GPU if present)"), QStringLiteral("auto"));
  deviceCombo_->addItem(tr("CPU"), QStringLiteral("cpu"));
  deviceCombo_->addItem(tr("CUDA / ROCm GPU"), QStringLiteral("cuda"));
  deviceCombo_->setToolTip(tr("Where to evaluate: the GPU is much faster when there is one"));
  batchSizeSpin_ = new QSpinBox(group);
  batchSizeSpin_->setObjectName(QStringLiteral("evalBatchSizeSpin"));
  batchSizeSpin_->setRange(1, 4096);
  batchSizeSpin_->setValue(kDefaultBatchSize);
  batchSizeSpin_->setToolTip(tr("Images per forward pass: larger is faster until the device's memory runs out; "
                                "it does not change the results"));
  auto* form = new QFormLayout(group);
  form->addRow(tr("Device:"), deviceCombo_);
  form->addRow(tr("Batch size:"), batchSizeSpin_);
  return group;
}

engine::EvalConfig EvalSettingsForm::config() const {
  engine::EvalConfig config;
  config.checkpoint = QDir::toNativeSeparators(checkpoint()).toStdString();
  config.model = hasMetadata_ ? std::string() : modelCombo_->currentData().toString().toStdString();
  config.data_path = datasetPicker_->path().toStdString();
  config.device = deviceCombo_->currentData().toString().toStdString();
  config.batch_size = batchSizeSpin_->value();
  if (const auto& info = datasetPicker_->info()) {
    const int64_t images = info->test_count > 0 ? info->test_count : info->train_count;
    config.sample_predictions = int(std::min<int64_t>(images, kMaxSampledImages));
  }
  return config;
}

QString EvalSettingsForm::checkpoint() const { return checkpointEdit_->text().trimmed(); }

void EvalSettingsForm::setCheckpoint(const QString& path) {
  checkpointEdit_->setText(path);
  inspectCheckpoint();
}

void EvalSettingsForm::setChosenModel(const QString& name) {
  const int index = modelCombo_->findData(name);
  modelCombo_->setCurrentIndex(index >= 0 ? index : 0);
}

void EvalSettingsForm::chooseCheckpoint() {
  const QFileInfo current(checkpoint());
  const QString file = QFileDialog::getOpenFileName(
      this, tr("Open checkpoint"), current.exists() ? current.absolutePath() : QString(),
      tr("Checkpoints (*.safetensors *.pth *.pt *.bin *.ckpt);;All files (*)"));
  if (!file.isEmpty()) setCheckpoint(QDir::toNativeSeparators(file));
}

// Only the metadata header is read here (quick); loading errors come from the job itself.
void EvalSettingsForm::inspectCheckpoint() {
  hasMetadata_ = false;
  showAsError(checkpointNote_, false);
  const QString path = checkpoint();
  if (path.isEmpty()) {
    checkpointNote_->setText(tr("Choose the checkpoint to evaluate."));
  } else if (!QFileInfo(path).isFile()) {
    showAsError(checkpointNote_, true);
    checkpointNote_->setText(tr("%1 is not a file.").arg(path));
  } else {
    QString model;
    try {
      const std::string json = engine::read_fovea_metadata(path.toStdString());
      hasMetadata_ = !json.empty();
      model = metadataModel(json);
    } catch (const std::exception&) {
      hasMetadata_ = false;  // not safetensors: a PyTorch file, or unreadable (the job will say why)
    }
    checkpointNote_->setText(hasMetadata_ ? tr("Fovea checkpoint of %1: the file names its model and classes.")
                                                .arg(model.isEmpty() ? tr("a model") : model)
                                          : tr("No Fovea metadata: choose the model the file holds."));
  }
  modelCombo_->setEnabled(!hasMetadata_);
  updateReady();
}

bool EvalSettingsForm::isReady() const { return notReadyReason().isEmpty(); }

QString EvalSettingsForm::notReadyReason() const {
  if (!QFileInfo(checkpoint()).isFile()) return tr("Choose a checkpoint file.");
  if (!hasMetadata_ && modelCombo_->currentData().toString().isEmpty()) return tr("Choose the model the checkpoint holds.");
  if (!datasetPicker_->isValid()) return tr("Choose a data set.");
  return {};
}

void EvalSettingsForm::updateReady() {
  const bool ready = isReady();
  if (ready == ready_) return;
  ready_ = ready;
  Q_EMIT readyChanged(ready);
}

void EvalSettingsForm::restoreSettings() {
  const QSettings settings;
  const int device = deviceCombo_->findData(settings.value(kDeviceKey).toString());
  if (device >= 0) deviceCombo_->setCurrentIndex(device);
  batchSizeSpin_->setValue(settings.value(kBatchSizeKey, kDefaultBatchSize).toInt());
  setChosenModel(settings.value(kModelKey).toString());
  const QString data = settings.value(kDataKey).toString();
  if (!data.isEmpty()) datasetPicker_->setPath(data);
  setCheckpoint(settings.value(kCheckpointKey).toString());
}

void EvalSettingsForm::saveSettings() const {
  QSettings settings;
  settings.setValue(kCheckpointKey, checkpoint());
  settings.setValue(kModelKey, modelCombo_->currentData().toString());
  settings.setValue(kDataKey, datasetPicker_->path());
  settings.setValue(kDeviceKey, deviceCombo_->currentData().toString());
  settings.setValue(kBatchSizeKey, batchSizeSpin_->value());
}

}  // namespace fovea::ui
