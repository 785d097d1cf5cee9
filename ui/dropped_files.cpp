#include "ui/dropped_files.h"

#include <QDir>
#include <QFileInfo>
#include <QMimeData>
#include <QUrl>

#include "engine/data/image_folder_scan.h"

namespace fovea::ui {

QStringList localPaths(const QMimeData* data) {
  QStringList paths;
  if (!data || !data->hasUrls()) return paths;
  for (const QUrl& url : data->urls()) {
    if (url.isLocalFile()) paths << url.toLocalFile();
  }
  return paths;
}

bool isCheckpointFile(const QString& path) {
  static const QStringList kSuffixes = {QStringLiteral("safetensors"), QStringLiteral("pth"), QStringLiteral("pt"),
                                        QStringLiteral("bin"), QStringLiteral("ckpt")};
  return kSuffixes.contains(QFileInfo(path).suffix().toLower());
}

QStringList imageFilesInFolder(const QString& folder, int limit, int* total) {
  *total = 0;
  engine::FolderEntries entries;
  try {
    entries = engine::read_folder(folder.toStdString());
  } catch (const std::exception&) {
    return {};
  }
  *total = int(entries.images.size());
  QStringList files;
  for (const std::string& name : entries.images) {
    if (files.size() >= limit) break;
    files << QDir(folder).filePath(QString::fromStdString(name));
  }
  return files;
}

}  // namespace fovea::ui
