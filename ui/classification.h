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

}  // namespace fovea::ui

Q_DECLARE_METATYPE(fovea::ui::ImageClassification)
Q_DECLARE_METATYPE(fovea::ui::LoadedModelInfo)
