// Data set download: choose CIFAR-10/100 or Fashion-MNIST and a folder, watch the transfer (MB, speed,
// time left), cancel it. The engine's download job (engine/data/dataset_download_job.h) runs on its
// own thread and reports through EngineBridge; a cancelled download resumes next time.
#pragma once

#include <QDialog>
#include <memory>
#include <optional>

#include "engine/observer.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace fovea::engine {
class Job;
struct DownloadResult;
}  // namespace fovea::engine

namespace fovea::ui {

class EngineBridge;

class DownloadDialog final : public QDialog {
  Q_OBJECT

 public:
  explicit DownloadDialog(QWidget* parent = nullptr);
  ~DownloadDialog() override;  // cancels a running download and waits for its thread

  // Shows the dialog modally; the data set folder (for probe_dataset / the data set picker) once a
  // download succeeded, which closes the dialog; nothing when the user closed it before.
  static std::optional<QString> run(QWidget* parent);

  void setDataset(const QString& name);  // a dataset_sources() name: "cifar10", "fashion-mnist", ...
  void setDestination(const QString& folder);
  void setMirror(const QString& baseUrl);  // instead of the official address (tests, mirrors)
  QString dataset() const;
  QString destination() const;
  QString datasetPath() const { return datasetPath_; }  // empty until a download succeeded
  QString statusText() const;
  bool isRunning() const;

  // The Download button: false when a download runs or no folder is chosen.
  bool startDownload();
  void cancelDownload();

 Q_SIGNALS:
  void downloadFinished(bool ok);

 public Q_SLOTS:
  void reject() override;  // closing cancels a running download first

 private:
  void chooseDestination();
  void onState(engine::JobState state);
  void onProgress(const engine::Progress& progress);
  void updateState();

  EngineBridge* bridge_;
  std::unique_ptr<engine::Job> job_;
  std::shared_ptr<engine::DownloadResult> result_;
  QString mirror_;
  QString datasetPath_;
  QString failure_;
  QComboBox* dataset_;
  QLineEdit* destination_;
  QProgressBar* progress_;
  QLabel* status_;
  QPushButton* downloadButton_;
  QPushButton* closeButton_;
};

}  // namespace fovea::ui
