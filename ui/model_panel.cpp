#include "ui/model_panel.h"

#include <QComboBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include "engine/model_catalog.h"
#include "ui/theme.h"

namespace fovea::ui {

ModelPanel::ModelPanel(QWidget* parent)
    : QGroupBox(tr("Model"), parent),
      openButton_(new QPushButton(tr("Open checkpoint…"), this)),
      modelLabel_(new QLabel(tr("No model loaded"), this)),
      modelCombo_(new QComboBox(this)),
      status_(new QLabel(this)) {
  openButton_->setObjectName(QStringLiteral("openCheckpointButton"));
  openButton_->setToolTip(tr("Load a model to classify with: a Fovea checkpoint, a safetensors or a PyTorch .pth file"));
  modelLabel_->setObjectName(QStringLiteral("modelLabel"));
  modelLabel_->setWordWrap(true);
  QFont bold = modelLabel_->font();
  bold.setBold(true);
  modelLabel_->setFont(bold);
  modelCombo_->setObjectName(QStringLiteral("modelCombo"));
  modelCombo_->addItem(tr("Choose…"), QString());
  for (const engine::ModelInfo& entry : engine::model_catalog()) {
    const QString name = QString::fromStdString(entry.name);
    modelCombo_->addItem(name, name);
    modelCombo_->setItemData(modelCombo_->count() - 1, QString::fromStdString(entry.description), Qt::ToolTipRole);
  }
  modelCombo_->setToolTip(tr("The model a checkpoint without Fovea metadata holds (Fovea's checkpoints say it themselves)"));
  status_->setObjectName(QStringLiteral("modelStatus"));
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  status_->setText(tr("Open a checkpoint (safetensors or PyTorch .pth), or drop one on the window."));

  auto* form = new QFormLayout;
  form->addRow(tr("Without metadata:"), modelCombo_);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(openButton_);
  layout->addWidget(modelLabel_);
  layout->addLayout(form);
  layout->addWidget(status_);

  connect(modelCombo_, &QComboBox::currentIndexChanged, this, [this] { Q_EMIT chosenModelChanged(chosenModel()); });
}

QString ModelPanel::chosenModel() const { return modelCombo_->currentData().toString(); }

void ModelPanel::setChosenModel(const QString& name) {
  const int index = modelCombo_->findData(name);
  if (index >= 0) modelCombo_->setCurrentIndex(index);
}

QString ModelPanel::statusText() const { return status_->text(); }

void ModelPanel::showLoading(const QString& path) {
  showAsError(status_, false);
  status_->setText(tr("Loading %1…").arg(QFileInfo(path).fileName()));
}

void ModelPanel::showLoaded(const LoadedModelInfo& info) {
  modelLabel_->setText(tr("%1 · %n classes · %2", nullptr, info.classes).arg(info.model, info.device));
  modelLabel_->setToolTip(info.path);
  showAsError(status_, false);
  status_->setText(info.notes.join(QLatin1Char('\n')));
  // A file without metadata was read as the chosen model: the list shows which.
  if (!info.fromMetadata) {
    const QSignalBlocker quiet(modelCombo_);
    setChosenModel(info.choice);
  }
}

void ModelPanel::showFailed(const QString&, const QString& message) {
  showAsError(status_, true);
  status_->setText(message);
}

}  // namespace fovea::ui
