#include "ui/dataset_picker.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <exception>

#include "engine/errors.h"
#include "ui/download_dialog.h"
#include "ui/theme.h"

namespace fovea::ui {

namespace {
constexpr int kProbeDelayMs = 300;  // after the last keystroke
}

DatasetPicker::DatasetPicker(QWidget* parent)
    : QWidget(parent),
      pathEdit_(new QLineEdit(this)),
      folderButton_(new QPushButton(tr("Folder…"), this)),
      fileButton_(new QPushButton(tr("File…"), this)),
      downloadButton_(new QPushButton(tr("Download…"), this)),
      statusLabel_(new QLabel(this)) {
  pathEdit_->setObjectName(QStringLiteral("datasetPathEdit"));
  pathEdit_->setPlaceholderText(tr("Folder of a data set: MNIST-style IDX, CIFAR-10/100, or one folder of images per class"));
  pathEdit_->setClearButtonEnabled(true);
  pathEdit_->setToolTip(tr("The data set: a folder (or any file in it) of MNIST-style IDX files, CIFAR-10/100 "
                           "batches, or one folder of images per class (ImageNet layout too)"));
  folderButton_->setToolTip(tr("Choose the folder that holds the data set"));
  fileButton_->setToolTip(tr("Choose any file of the data set, e.g. train-images-idx3-ubyte"));
  downloadButton_->setObjectName(QStringLiteral("datasetDownloadButton"));
  downloadButton_->setToolTip(tr("Download CIFAR-10, CIFAR-100 or Fashion-MNIST and use it here"));
  statusLabel_->setObjectName(QStringLiteral("datasetStatusLabel"));
  statusLabel_->setWordWrap(true);
  statusLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* layout = new QGridLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(pathEdit_, 0, 0, 1, 3);
  layout->addWidget(folderButton_, 1, 0);
  layout->addWidget(fileButton_, 1, 1);
  layout->addWidget(downloadButton_, 1, 2);
  layout->addWidget(statusLabel_, 2, 0, 1, 3);

  probeDelay_.setSingleShot(true);
  probeDelay_.setInterval(kProbeDelayMs);
  connect(&probeDelay_, &QTimer::timeout, this, &DatasetPicker::probe);
  connect(pathEdit_, &QLineEdit::textEdited, this, [this] { probeDelay_.start(); });
  connect(pathEdit_, &QLineEdit::editingFinished, this, [this] {
    if (probeDelay_.isActive()) {
      probeDelay_.stop();
      probe();
    }
  });
  connect(folderButton_, &QPushButton::clicked, this, &DatasetPicker::chooseFolder);
  connect(fileButton_, &QPushButton::clicked, this, &DatasetPicker::chooseFile);
  connect(downloadButton_, &QPushButton::clicked, this, &DatasetPicker::download);
  probe();
}

QString DatasetPicker::path() const { return pathEdit_->text().trimmed(); }

void DatasetPicker::setPath(const QString& path) {
  probeDelay_.stop();
  pathEdit_->setText(path);
  probe();
}

QString DatasetPicker::statusText() const { return statusLabel_->text(); }

QString DatasetPicker::dialogStartFolder() const {
  const QFileInfo current(path());
  if (current.isDir()) return current.absoluteFilePath();
  if (current.exists()) return current.absolutePath();
  return QDir::homePath();
}

void DatasetPicker::chooseFolder() {
  const QString folder = QFileDialog::getExistingDirectory(this, tr("Choose a data set folder"), dialogStartFolder());
  if (!folder.isEmpty()) setPath(QDir::toNativeSeparators(folder));
}

void DatasetPicker::chooseFile() {
  const QString file = QFileDialog::getOpenFileName(
      this, tr("Choose a file of a data set"), dialogStartFolder(),
      tr("Data set files (*-ubyte *-ubyte.gz *.bin data_batch_* test_batch train test meta *.jpg *.jpeg *.png *.JPEG);;"
         "All files (*)"));
  if (!file.isEmpty()) setPath(QDir::toNativeSeparators(file));
}

void DatasetPicker::download() {
  if (const std::optional<QString> folder = DownloadDialog::run(this)) setPath(QDir::toNativeSeparators(*folder));
}

void DatasetPicker::probe() {
  const bool wasValid = isValid();
  info_.reset();
  const QString text = path();
  if (text.isEmpty()) {
    showError(tr("Choose a data set folder or one of its files."));
  } else {
    try {
      info_ = engine::probe_dataset(text.toStdString());
      showInfo(*info_);
    } catch (const std::exception& e) {
      showError(QString::fromStdString(e.what()));
    }
  }
  if (wasValid != isValid()) Q_EMIT validityChanged(isValid());
}

void DatasetPicker::showInfo(const engine::DatasetInfo& info) {
  const QLocale locale;
  showAsError(statusLabel_, false);
  // Folders of encoded images have no one image size before decoding.
  const QString images = info.height > 0 ? tr("%1 training and %2 test images of %3×%4×%5")
                                               .arg(locale.toString(qlonglong(info.train_count)),
                                                    locale.toString(qlonglong(info.test_count)))
                                               .arg(info.height)
                                               .arg(info.width)
                                               .arg(info.channels)
                                         : tr("%1 training and %2 test images")
                                               .arg(locale.toString(qlonglong(info.train_count)),
                                                    locale.toString(qlonglong(info.test_count)));
  QString text = tr("%1 · classes: %2 · %3").arg(QString::fromStdString(info.format_name)).arg(info.class_names.size()).arg(images);
  if (!info.coarse_class_names.empty()) text += tr(" · %1 coarse classes").arg(info.coarse_class_names.size());
  if (info.test_count == 0) text += tr(" · no test split (training needs train/ and val/ folders)");
  statusLabel_->setText(text);
  QStringList details = {QString::fromStdString(info.root), QString::fromStdString(info.split_layout)};
  for (const std::string& note : info.notes) details << QString::fromStdString(note);
  statusLabel_->setToolTip(details.join(QLatin1Char('\n')));
}

void DatasetPicker::showError(const QString& message) {
  showAsError(statusLabel_, true);
  statusLabel_->setText(message);
  statusLabel_->setToolTip(QString());
}

}  // namespace fovea::ui
