#include "ui/about_dialog.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "engine/build_info.h"
#include "ui/app_icon.h"

namespace fovea::ui {

namespace {

constexpr int kIconSide = 96;

struct Row {
  QString name;
  QString version;
};

QString orNone(const std::string& version, const QString& none) {
  return version.empty() ? none : QString::fromStdString(version);
}

QList<Row> versionRows() {
  const engine::BuildInfo info = engine::build_info();
  return {{AboutDialog::tr("Fovea"), QString::fromStdString(info.fovea)},
          {AboutDialog::tr("Qt"),
           AboutDialog::tr("%1 (built with %2)").arg(QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR))},
          {AboutDialog::tr("LibTorch"), QString::fromStdString(info.libtorch)},
          {AboutDialog::tr("LibTorch's GPU runtime"), orNone(info.libtorch_gpu_runtime, AboutDialog::tr("none (CPU only)"))},
          {AboutDialog::tr("Fovea's GPU kernels"), orNone(info.kernels_gpu_runtime, AboutDialog::tr("not built (CPU build)"))},
          {AboutDialog::tr("OpenCV"), QString::fromStdString(info.opencv)},
          {AboutDialog::tr("ONNX export"), orNone(info.onnx, AboutDialog::tr("not built (safetensors export only)"))}};
}

}  // namespace

AboutDialog::AboutDialog(QWidget* parent) : QDialog(parent) {
  setObjectName(QStringLiteral("aboutDialog"));
  setWindowTitle(tr("About Fovea"));

  auto* icon = new QLabel(this);
  icon->setObjectName(QStringLiteral("aboutIcon"));
  icon->setPixmap(applicationIcon().pixmap(kIconSide, kIconSide));
  auto* title = new QLabel(tr("<h2>Fovea %1</h2>").arg(QString::fromStdString(engine::build_info().fovea)), this);
  auto* description = new QLabel(tr("Train and inspect image classifiers on a GPU workstation or on the CPU: "
                                    "live training curves, evaluation with a confusion matrix, Grad-CAM, and "
                                    "export to ONNX and safetensors."),
                                 this);
  description->setWordWrap(true);

  auto* versions = new QFormLayout;
  versions->setLabelAlignment(Qt::AlignRight);
  for (const Row& row : versionRows()) {
    auto* value = new QLabel(row.version, this);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    versions->addRow(tr("%1:").arg(row.name), value);
  }

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  QPushButton* copy = buttons->addButton(tr("Copy versions"), QDialogButtonBox::ActionRole);
  copy->setToolTip(tr("Copy the versions to the clipboard, for a bug report"));
  connect(copy, &QPushButton::clicked, this, [] { QGuiApplication::clipboard()->setText(versionsText()); });
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

  auto* header = new QHBoxLayout;
  header->addWidget(icon, 0, Qt::AlignTop);
  auto* text = new QVBoxLayout;
  text->addWidget(title);
  text->addWidget(description);
  header->addLayout(text, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(header);
  layout->addLayout(versions);
  layout->addWidget(buttons);
}

QString AboutDialog::versionsText() {
  QStringList lines;
  for (const Row& row : versionRows()) lines << row.name + QLatin1Char(' ') + row.version;
  return lines.join(QLatin1Char('\n'));
}

}  // namespace fovea::ui
