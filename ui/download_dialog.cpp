#include "ui/download_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QVBoxLayout>

#include "engine/data/dataset_download_job.h"
#include "engine/job.h"
#include "ui/engine_bridge.h"
#include "ui/theme.h"

namespace fovea::ui {

namespace {

const QString kDestinationKey = QStringLiteral("download/destination");

QString defaultDestination() {
  const QString saved = QSettings().value(kDestinationKey).toString();
  if (!saved.isEmpty()) return saved;
  return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("datasets"));
}

QString timeLeft(double seconds) {
  if (seconds < 0) return {};
  const auto s = static_cast<long long>(seconds + 0.5);
  return s >= 3600 ? QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'))
                   : QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

}  // namespace

DownloadDialog::DownloadDialog(QWidget* parent)
    : QDialog(parent),
      bridge_(new EngineBridge(this)),
      dataset_(new QComboBox(this)),
      destination_(new QLineEdit(this)),
      progress_(new QProgressBar(this)),
      status_(new QLabel(this)),
      downloadButton_(new QPushButton(tr("Download"), this)),
      closeButton_(new QPushButton(tr("Close"), this)) {
  setWindowTitle(tr("Download data set"));
  setMinimumWidth(520);
  dataset_->setObjectName(QStringLiteral("downloadDataset"));
  for (const engine::DatasetSource& source : engine::dataset_sources())
    dataset_->addItem(QString::fromStdString(source.title), QString::fromStdString(source.name));
  destination_->setObjectName(QStringLiteral("downloadDestination"));
  destination_->setText(defaultDestination());
  progress_->setObjectName(QStringLiteral("downloadProgress"));
  progress_->setRange(0, 1000);
  progress_->setValue(0);
  progress_->setTextVisible(false);
  status_->setObjectName(QStringLiteral("downloadStatus"));
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  dataset_->setToolTip(tr("The data set to download from its official mirror; its checksums are verified"));
  destination_->setToolTip(tr("The folder the data set's own folder is created in"));
  downloadButton_->setToolTip(tr("Download (resumes a partial download) and unpack"));
  closeButton_->setToolTip(tr("Close this window; a running download is cancelled"));
  auto* browse = new QPushButton(tr("Browse…"));
  browse->setToolTip(tr("Choose the folder to download into"));
  auto* row = new QWidget;
  auto* rowLayout = new QHBoxLayout(row);
  rowLayout->setContentsMargins(0, 0, 0, 0);
  rowLayout->addWidget(destination_, 1);
  rowLayout->addWidget(browse);
  auto* form = new QFormLayout;
  form->addRow(tr("Data set:"), dataset_);
  form->addRow(tr("Download into:"), row);

  auto* buttons = new QDialogButtonBox(this);
  buttons->addButton(downloadButton_, QDialogButtonBox::AcceptRole);
  buttons->addButton(closeButton_, QDialogButtonBox::RejectRole);
  downloadButton_->setDefault(true);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(progress_);
  layout->addWidget(status_);
  layout->addStretch(1);
  layout->addWidget(buttons);

  connect(browse, &QPushButton::clicked, this, &DownloadDialog::chooseDestination);
  connect(downloadButton_, &QPushButton::clicked, this, &DownloadDialog::startDownload);
  connect(closeButton_, &QPushButton::clicked, this, [this] { isRunning() ? cancelDownload() : reject(); });
  connect(destination_, &QLineEdit::textChanged, this, &DownloadDialog::updateState);
  connect(bridge_, &EngineBridge::stateChanged, this, &DownloadDialog::onState);
  connect(bridge_, &EngineBridge::progressed, this, &DownloadDialog::onProgress);
  connect(bridge_, &EngineBridge::failed, this, [this](const QString& message) { failure_ = message; });
  updateState();
}

DownloadDialog::~DownloadDialog() { job_.reset(); }  // before the bridge it reports to goes

std::optional<QString> DownloadDialog::run(QWidget* parent) {
  DownloadDialog dialog(parent);
  if (dialog.exec() == QDialog::Accepted && !dialog.datasetPath().isEmpty()) return dialog.datasetPath();
  return std::nullopt;
}

void DownloadDialog::setDataset(const QString& name) {
  const int index = dataset_->findData(name);
  if (index >= 0) dataset_->setCurrentIndex(index);
}

void DownloadDialog::setDestination(const QString& folder) { destination_->setText(folder); }

void DownloadDialog::setMirror(const QString& baseUrl) { mirror_ = baseUrl; }

QString DownloadDialog::dataset() const { return dataset_->currentData().toString(); }

QString DownloadDialog::destination() const { return destination_->text().trimmed(); }

QString DownloadDialog::statusText() const { return status_->text(); }

bool DownloadDialog::isRunning() const { return job_ && !engine::is_terminal(job_->state()); }

void DownloadDialog::chooseDestination() {
  const QString folder = QFileDialog::getExistingDirectory(this, tr("Download into"), destination());
  if (!folder.isEmpty()) destination_->setText(folder);
}

bool DownloadDialog::startDownload() {
  if (isRunning() || destination().isEmpty()) return false;
  if (job_) job_->wait();  // the finished job's thread
  engine::DownloadRequest request;
  request.name = dataset().toStdString();
  request.destination = destination().toStdString();
  request.mirror = mirror_.toStdString();
  result_ = std::make_shared<engine::DownloadResult>();
  failure_.clear();
  datasetPath_.clear();
  QSettings().setValue(kDestinationKey, destination());
  bridge_->beginJob();
  job_ = engine::make_download_job(request, *bridge_, result_);
  showAsError(status_, false);
  status_->setText(tr("Connecting…"));
  progress_->setValue(0);
  job_->start();
  updateState();
  return true;
}

void DownloadDialog::cancelDownload() {
  if (isRunning()) job_->cancel();
}

void DownloadDialog::reject() {
  if (job_) {
    job_->cancel();  // heard within a fraction of a second, even mid-transfer
    job_->wait();
  }
  QDialog::reject();
}

void DownloadDialog::onProgress(const engine::Progress& p) {
  const auto& files = engine::find_dataset_source(dataset().toStdString()).files;
  const size_t index = static_cast<size_t>(p.step_in_epoch) - 1;
  const QString file = index < files.size() ? QString::fromStdString(files[index].name) : QString();
  const QLocale locale;
  if (p.total_steps > 0) {
    progress_->setRange(0, 1000);
    progress_->setValue(static_cast<int>(1000.0 * static_cast<double>(p.step) / static_cast<double>(p.total_steps)));
  } else {
    progress_->setRange(0, 0);  // busy: size not known yet
  }
  const QString done = locale.formattedDataSize(p.step, 1, QLocale::DataSizeSIFormat);
  const QString amount = p.total_steps > 0
                             ? tr("%1 of %2").arg(done, locale.formattedDataSize(p.total_steps, 1, QLocale::DataSizeSIFormat))
                             : done;
  QString text;
  if (p.phase == "download") {
    text = tr("Downloading %1 (file %2 of %3): %4, %5/s").arg(file).arg(p.step_in_epoch).arg(p.steps_per_epoch)
               .arg(amount, locale.formattedDataSize(static_cast<qint64>(p.images_per_second), 1, QLocale::DataSizeSIFormat));
    if (p.eta_seconds >= 0) text += tr(", %1 left").arg(timeLeft(p.eta_seconds));
  } else if (p.phase == "verify") {
    text = tr("Verifying %1: %2").arg(file, amount);
  } else {
    text = tr("Unpacking %1: %2").arg(file, done);
  }
  status_->setText(text);
}

void DownloadDialog::onState(engine::JobState state) {
  if (!engine::is_terminal(state)) return updateState();
  progress_->setRange(0, 1000);
  if (state == engine::JobState::Finished) {
    progress_->setValue(1000);
    datasetPath_ = QString::fromStdString(result_->path);
    status_->setText(tr("Ready: %1").arg(QDir::toNativeSeparators(datasetPath_)));
  } else if (state == engine::JobState::Cancelled) {
    status_->setText(tr("Cancelled. What arrived is kept: downloading again resumes from there."));
  } else {
    showAsError(status_, true);
    status_->setText(failure_.isEmpty() ? tr("The download failed.") : failure_);
  }
  updateState();
  const bool ok = state == engine::JobState::Finished;
  Q_EMIT downloadFinished(ok);
  if (ok) accept();
}

void DownloadDialog::updateState() {
  const bool running = isRunning();
  downloadButton_->setEnabled(!running && !destination().isEmpty());
  dataset_->setEnabled(!running);
  destination_->setEnabled(!running);
  closeButton_->setText(running ? tr("Cancel") : tr("Close"));
}

}  // namespace fovea::ui
