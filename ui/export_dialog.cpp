#include "ui/export_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>
#include <algorithm>

#include "engine/model_catalog.h"
#include "ui/export_task.h"
#include "ui/theme.h"

namespace fovea::ui {

namespace {


// A line edit with a "Browse…" button after it.
QWidget* withBrowse(QLineEdit* edit, QPushButton* browse) {
  auto* row = new QWidget;
  auto* layout = new QHBoxLayout(row);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(edit, 1);
  layout->addWidget(browse);
  return row;
}

}  // namespace

ExportDialog::ExportDialog(QWidget* parent)
    : QDialog(parent),
      task_(new ExportTask(this)),
      checkpoint_(new QLineEdit(this)),
      model_(new QComboBox(this)),
      format_(new QComboBox(this)),
      onnxNote_(new QLabel(this)),
      output_(new QLineEdit(this)),
      result_(new QLabel(this)),
      exportButton_(new QPushButton(tr("Export"), this)) {
  setWindowTitle(tr("Export model"));
  setMinimumWidth(720);
  checkpoint_->setObjectName(QStringLiteral("exportCheckpoint"));
  output_->setObjectName(QStringLiteral("exportOutput"));
  model_->setObjectName(QStringLiteral("exportModel"));
  model_->addItem(tr("From the file's metadata"), QString());
  for (const engine::ModelInfo& entry : engine::model_catalog()) model_->addItem(QString::fromStdString(entry.name), QString::fromStdString(entry.name));
  format_->setObjectName(QStringLiteral("exportFormat"));
  format_->addItem(tr("safetensors state dict (torchvision/timm key names)"), false);
  format_->addItem(tr("ONNX (onnxruntime)"), true);
  onnxNote_->setObjectName(QStringLiteral("onnxNote"));
  onnxNote_->setWordWrap(true);
  showAsError(onnxNote_, true);
  result_->setObjectName(QStringLiteral("exportResult"));
  result_->setWordWrap(true);
  result_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  checkpoint_->setToolTip(tr("The weights to export: a Fovea checkpoint, a safetensors file or a PyTorch .pth/.pt file"));
  model_->setToolTip(tr("The model a file without Fovea metadata holds (Fovea's checkpoints say it themselves)"));
  format_->setToolTip(tr("safetensors: a state dict that torchvision/timm load with load_state_dict; "
                         "ONNX: a graph that onnxruntime runs (ResNet and ViT)"));
  output_->setToolTip(tr("The file to write"));
  exportButton_->setToolTip(tr("Write the file (in the background: the window stays usable)"));
  auto* browseCheckpoint = new QPushButton(tr("Browse…"));
  auto* browseOutput = new QPushButton(tr("Browse…"));
  browseCheckpoint->setToolTip(tr("Choose the checkpoint file"));
  browseOutput->setToolTip(tr("Choose where to write the exported file"));
  auto* form = new QFormLayout;
  form->addRow(tr("Checkpoint:"), withBrowse(checkpoint_, browseCheckpoint));
  form->addRow(tr("Model (files without metadata):"), model_);
  form->addRow(tr("Format:"), format_);
  form->addRow(QString(), onnxNote_);
  form->addRow(tr("Output file:"), withBrowse(output_, browseOutput));

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  buttons->addButton(exportButton_, QDialogButtonBox::ActionRole);
  exportButton_->setDefault(true);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(result_);
  layout->addStretch(1);
  layout->addWidget(buttons);

  connect(browseCheckpoint, &QPushButton::clicked, this, &ExportDialog::chooseCheckpoint);
  connect(browseOutput, &QPushButton::clicked, this, &ExportDialog::chooseOutput);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(exportButton_, &QPushButton::clicked, this, &ExportDialog::startExport);
  connect(format_, &QComboBox::currentIndexChanged, this, &ExportDialog::onFormatChanged);
  connect(model_, &QComboBox::currentIndexChanged, this, &ExportDialog::updateState);
  connect(checkpoint_, &QLineEdit::textChanged, this, &ExportDialog::updateState);
  connect(output_, &QLineEdit::textChanged, this, &ExportDialog::updateState);
  connect(task_, &ExportTask::succeeded, this, [this](const QString& path, qint64 bytes, const QString& model, int classes) {
    showResult(true, tr("Wrote %1 (%2, %3 with %n classes)", nullptr, classes)
                         .arg(QDir::toNativeSeparators(path), QLocale().formattedDataSize(bytes), model));
  });
  connect(task_, &ExportTask::failed, this, [this](const QString& message) { showResult(false, message); });
  updateState();
}

void ExportDialog::setCheckpoint(const QString& path, const QString& model, bool needsChoice) {
  knownModel_ = model;
  knownFor_ = path;
  checkpoint_->setText(path);
  model_->setCurrentIndex(needsChoice ? std::max(0, model_->findData(model)) : 0);
  if (!path.isEmpty()) {
    const QFileInfo info(path);
    output_->setText(info.dir().filePath(info.completeBaseName() + QStringLiteral("-export.") + suffix()));
  }
  result_->clear();
  updateState();
}

void ExportDialog::setOnnx(bool onnx) { format_->setCurrentIndex(format_->findData(onnx)); }

void ExportDialog::setOutputPath(const QString& path) { output_->setText(path); }

QString ExportDialog::checkpoint() const { return checkpoint_->text().trimmed(); }

QString ExportDialog::outputPath() const { return output_->text().trimmed(); }

bool ExportDialog::isOnnx() const { return format_->currentData().toBool(); }

bool ExportDialog::isRunning() const { return task_->isRunning(); }

QString ExportDialog::onnxNote() const { return onnxNote_->text(); }

QString ExportDialog::resultText() const { return result_->text(); }

QString ExportDialog::suffix() const { return isOnnx() ? QStringLiteral("onnx") : QStringLiteral("safetensors"); }

void ExportDialog::chooseCheckpoint() {
  const QString file = QFileDialog::getOpenFileName(this, tr("Checkpoint to export"), QFileInfo(checkpoint()).path(),
                                                    tr("Checkpoints (*.safetensors *.pth *.pt *.bin *.ckpt);;All files (*)"));
  if (!file.isEmpty()) setCheckpoint(file);
}

void ExportDialog::chooseOutput() {
  const QString filter = isOnnx() ? tr("ONNX (*.onnx)") : tr("safetensors (*.safetensors)");
  const QString file = QFileDialog::getSaveFileName(this, tr("Export to"), outputPath(), filter);
  if (!file.isEmpty()) output_->setText(file);
}

// The output keeps its name with the new format's extension.
void ExportDialog::onFormatChanged() {
  const QString other = isOnnx() ? QStringLiteral(".safetensors") : QStringLiteral(".onnx");
  QString out = outputPath();
  if (out.endsWith(other)) {
    out.chop(other.size());
    output_->setText(out + QLatin1Char('.') + suffix());
  }
  updateState();
}

void ExportDialog::updateState() {
  QString note;
  if (isOnnx()) {
    const QString chosen = model_->currentData().toString();
    note = ExportTask::onnxRefusal(!chosen.isEmpty() ? chosen : checkpoint() == knownFor_ ? knownModel_ : QString());
  }
  onnxNote_->setText(note);
  onnxNote_->setVisible(!note.isEmpty());
  exportButton_->setEnabled(!task_->isRunning() && note.isEmpty() && !checkpoint().isEmpty() && !outputPath().isEmpty());
}

bool ExportDialog::startExport() {
  updateState();
  if (!exportButton_->isEnabled()) return false;
  const ExportChoice choice{checkpoint(), model_->currentData().toString(), isOnnx(), outputPath()};
  if (!task_->start(choice)) return false;
  showAsError(result_, false);
  result_->setText(tr("Exporting %1…").arg(QFileInfo(choice.checkpoint).fileName()));
  updateState();
  return true;
}

void ExportDialog::showResult(bool ok, const QString& text) {
  showAsError(result_, !ok);
  result_->setText(text);
  updateState();
  Q_EMIT exportFinished(ok);
}

}  // namespace fovea::ui
