// What was dropped or pasted on the window, as local paths sorted into checkpoints, folders and the
// rest (the rest is classified as images; a file that is not one gets its error in its row).
#pragma once

#include <QStringList>

class QMimeData;

namespace fovea::ui {

// The local files and folders among the data's URLs, in order; empty when there are none.
QStringList localPaths(const QMimeData* data);

// By extension: .safetensors, .pth, .pt, .bin, .ckpt.
bool isCheckpointFile(const QString& path);

// The folder's image files (by extension, hidden ones left out), sorted, at most `limit` of them;
// `total` receives how many there are. Empty when the folder cannot be read.
QStringList imageFilesInFolder(const QString& folder, int limit, int* total);

}  // namespace fovea::ui
