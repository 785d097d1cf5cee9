// The Classify page: open a checkpoint (or drop one), then drop, open or paste images and see each
// one's top-5 classes, probabilities and latency. Loading and classifying run on the classifier's
// thread (ui/classifier.h); the page only sends requests and shows what comes back.
#pragma once

#include <QImage>
#include <QWidget>
#include <optional>
#include <utility>

#include "ui/classification.h"

class QAction;
class QLabel;

namespace fovea::ui {

class Classifier;
class ClassificationDetails;
class ClassificationList;
class ModelPanel;

class ClassifyPage final : public QWidget {
  Q_OBJECT

 public:
  static constexpr int kMaxFolderImages = 200;

  explicit ClassifyPage(QWidget* parent = nullptr);
  ~ClassifyPage() override;

  // Checkpoints load as the model (the last one wins); folders add their images; everything else is
  // classified as an image (a file that is not one gets its error in its row).
  void openPaths(const QStringList& paths);
  void loadCheckpoint(const QString& path);
  void classifyFiles(const QStringList& files);
  void classifyFolder(const QString& folder);
  void classifyImage(const QImage& image, const QString& title);
  void pasteFromClipboard();
  void clearResults();
  // Loads the model last loaded here (in this or an earlier session) when its file still exists.
  void reloadLastModel();

  // The file dialogs (the File menu's entries too).
  void chooseCheckpoint();
  void chooseImages();
  void chooseFolder();

  QAction* openCheckpointAction() const { return openCheckpointAction_; }
  QAction* openImagesAction() const { return openImagesAction_; }
  QAction* openFolderAction() const { return openFolderAction_; }
  QAction* pasteAction() const { return pasteAction_; }

  const std::optional<LoadedModelInfo>& model() const { return model_; }
  bool isLoading() const { return !loadMarks_.isEmpty(); }
  ModelPanel* modelPanel() const { return modelPanel_; }
  ClassificationList* results() const { return results_; }
  ClassificationDetails* details() const { return details_; }
  QString noteText() const;

 Q_SIGNALS:
  void modelChanged();
  // The user asked for something the window should show this page for (an open or paste action).
  void activationRequested();

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  QWidget* createImagesColumn();
  void createActions();
  int addRow(const QString& title, const QString& source, const QImage& pasted);
  void request(int row);
  void onModelLoaded(const LoadedModelInfo& info);
  void onLoadFailed(const QString& path, const QString& message);
  void onClassified(const ImageClassification& result);
  void onExplained(const SaliencyResult& result);
  void onClassChosen(qint64 index);
  void updateSaliency();
  void onChosenModelChanged(const QString& name);
  void showCurrent();
  void setNote(const QString& text);
  QString waitingNote() const;

  struct Source {
    QString path;   // empty for pasted images
    QImage pasted;
  };

  Classifier* classifier_;
  ModelPanel* modelPanel_ = nullptr;
  ClassificationList* results_ = nullptr;
  ClassificationDetails* details_ = nullptr;
  QLabel* note_ = nullptr;
  QAction* openCheckpointAction_ = nullptr;
  QAction* openImagesAction_ = nullptr;
  QAction* openFolderAction_ = nullptr;
  QAction* pasteAction_ = nullptr;

  QList<Source> sources_;      // by row
  int nextId_ = 1;
  int pastes_ = 0;
  QList<int> loadMarks_;       // per load in flight: the first request id posted after it
  QString lastCheckpoint_;     // the last one asked for, loaded or not
  bool reloadOnChoice_ = false;   // it failed, or has no metadata: a change of model loads it again
  std::optional<LoadedModelInfo> model_;
  qint64 chosenClass_ = -1;                          // a bar clicked on the current row; -1: its best class
  std::optional<std::pair<int, qint64>> saliencyAsked_;  // (classification id, class) on its way
  std::optional<SaliencyResult> saliency_;           // the last map, for toggling back and forth
};

}  // namespace fovea::ui
