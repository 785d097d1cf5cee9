// A data set chooser: a path field with folder, file and download buttons, and a line describing what
// was found there (format, classes, image counts) or, in red, why nothing usable was found.
#pragma once

#include <QTimer>
#include <QWidget>
#include <optional>

#include "engine/data/dataset_info.h"

class QLabel;
class QLineEdit;
class QPushButton;

namespace fovea::ui {

class DatasetPicker final : public QWidget {
  Q_OBJECT

 public:
  explicit DatasetPicker(QWidget* parent = nullptr);

  QString path() const;
  // Sets the path and probes it at once.
  void setPath(const QString& path);
  bool isValid() const { return info_.has_value(); }
  const std::optional<engine::DatasetInfo>& info() const { return info_; }
  QString statusText() const;
  QPushButton* downloadButton() const { return downloadButton_; }

 Q_SIGNALS:
  void validityChanged(bool valid);

 private:
  void chooseFolder();
  void chooseFile();
  void download();  // DownloadDialog, modal; its data set becomes the path
  QString dialogStartFolder() const;
  void probe();
  void showInfo(const engine::DatasetInfo& info);
  void showError(const QString& message);

  QLineEdit* pathEdit_;
  QPushButton* folderButton_;
  QPushButton* fileButton_;
  QPushButton* downloadButton_;
  QLabel* statusLabel_;
  QTimer probeDelay_;
  std::optional<engine::DatasetInfo> info_;
};

}  // namespace fovea::ui
