// What the Classify page shows, as plain Qt values: the classifier worker fills them on its thread and
// they travel to the GUI thread through queued signals (no LibTorch types in ui/ headers).
#pragma once

#include <QImage>
#include <QList>
#include <QMetaType>
#include <QSize>
#include <QString>
#include <QStringList>

namespace fovea::ui {

struct ClassScoreItem {
  QString name;
  qint64 index = 0;
  double probability = 0;
};

// One classified image (a file, the clipboard): the top classes, or an error instead.
struct ImageClassification {
  int id = 0;               // the request's id (a row of the page's result list)
  QString source;           // the file, or a description such as "clipboard"
  QList<ClassScoreItem> top;  // most probable first
  double milliseconds = 0;  // preprocessing and the forward pass
  QString error;            // set instead of `top`
  QImage preview;           // scaled down; null when the image could not be read
  QSize size;               // of the original image
  QString model;            // the model that classified it
};

// The model the worker holds after a successful load.
struct LoadedModelInfo {
  QString path;
  QString model;        // registry name
  int classes = 0;
  QString device;
  bool fromMetadata = false;  // the file said which model it holds
  QString choice;       // the model name chosen for a file without metadata ("" with metadata)
  QStringList notes;    // what was read and chosen, for people
};

// What to build for a checkpoint without Fovea metadata (engine::ModelChoice in Qt terms); a file with
// metadata says all of it itself.
struct ModelRequest {
  QString model;       // registry name; empty: the file must name it
  int classes = 0;     // 0: the rows of the file's classifier weight
  int channels = 3;
  int imageSize = 0;   // 0: the model's default
  bool cifarStem = false;
  bool operator==(const ModelRequest&) const = default;
};

// A Grad-CAM map of one image for one class, or why there is none.
struct SaliencyResult {
  int id = 0;               // the request's id (the classification's, on the Classify page)
  qint64 classIndex = -1;   // the class it explains
  QString className;
  QImage crop;              // what the model saw, at its input size
  QImage overlay;           // the heat map over `crop`, same size
  bool unsupported = false; // the model has no convolutional feature map (ViT, Vim, Mamba-2)
  QString error;
};

}  // namespace fovea::ui

Q_DECLARE_METATYPE(fovea::ui::ImageClassification)
Q_DECLARE_METATYPE(fovea::ui::LoadedModelInfo)
Q_DECLARE_METATYPE(fovea::ui::SaliencyResult)
