#include "ui/classify_page.h"

#include <QAction>
#include <QClipboard>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QGroupBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QVBoxLayout>

#include "ui/classification_details.h"
#include "ui/classification_list.h"
#include "ui/classifier.h"
#include "ui/dropped_files.h"
#include "ui/model_panel.h"

namespace fovea::ui {

namespace {

constexpr int kColumnWidth = 380;
const QString kLastCheckpointKey = QStringLiteral("classifyPage/checkpoint");
const QString kLastModelKey = QStringLiteral("classifyPage/model");  // chosen for a file without metadata

}  // namespace

ClassifyPage::ClassifyPage(QWidget* parent) : QWidget(parent), classifier_(new Classifier(this)) {
  setAcceptDrops(true);
  createActions();

  details_ = new ClassificationDetails;
  auto* splitter = new QSplitter(Qt::Horizontal, this);
  splitter->addWidget(createImagesColumn());
  splitter->addWidget(details_);
  splitter->setStretchFactor(1, 1);
  splitter->setSizes({kColumnWidth, 900});
  splitter->setChildrenCollapsible(false);
  (new QHBoxLayout(this))->addWidget(splitter);

  connect(classifier_, &Classifier::modelLoaded, this, &ClassifyPage::onModelLoaded);
  connect(classifier_, &Classifier::loadFailed, this, &ClassifyPage::onLoadFailed);
  connect(classifier_, &Classifier::classified, this, &ClassifyPage::onClassified);
  connect(modelPanel_, &ModelPanel::chosenModelChanged, this, &ClassifyPage::onChosenModelChanged);
  connect(classifier_, &Classifier::explained, this, &ClassifyPage::onExplained);
  connect(results_, &QListWidget::currentRowChanged, this, [this] {
    chosenClass_ = -1;
    showCurrent();
  });
  connect(details_, &ClassificationDetails::saliencyToggled, this, &ClassifyPage::updateSaliency);
  connect(details_, &ClassificationDetails::classChosen, this, &ClassifyPage::onClassChosen);
}

ClassifyPage::~ClassifyPage() = default;  // the classifier drops queued work and waits for the current one

void ClassifyPage::createActions() {
  openCheckpointAction_ = new QAction(tr("Open &checkpoint…"), this);
  openCheckpointAction_->setShortcut(QKeySequence::Open);
  openImagesAction_ = new QAction(tr("Open &images…"), this);
  openImagesAction_->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
  openFolderAction_ = new QAction(tr("Open image &folder…"), this);
  pasteAction_ = new QAction(tr("&Paste image"), this);
  pasteAction_->setShortcut(QKeySequence::Paste);
  // One action each for the page and the window's menus: one shortcut, never an ambiguous pair.
  addActions({openCheckpointAction_, openImagesAction_, openFolderAction_, pasteAction_});

  connect(openCheckpointAction_, &QAction::triggered, this, &ClassifyPage::chooseCheckpoint);
  connect(openImagesAction_, &QAction::triggered, this, &ClassifyPage::chooseImages);
  connect(openFolderAction_, &QAction::triggered, this, &ClassifyPage::chooseFolder);
  connect(pasteAction_, &QAction::triggered, this, &ClassifyPage::pasteFromClipboard);
}

QWidget* ClassifyPage::createImagesColumn() {
  modelPanel_ = new ModelPanel;
  connect(modelPanel_->openButton(), &QPushButton::clicked, openCheckpointAction_, &QAction::trigger);

  auto* imagesBox = new QGroupBox(tr("Images"));
  auto* openImages = new QPushButton(tr("Open images…"));
  auto* openFolder = new QPushButton(tr("Folder…"));
  auto* paste = new QPushButton(tr("Paste"));
  auto* clear = new QPushButton(tr("Clear"));
  openImages->setObjectName(QStringLiteral("openImagesButton"));
  paste->setObjectName(QStringLiteral("pasteButton"));
  paste->setToolTip(tr("Classify the image on the clipboard (%1)").arg(pasteAction_->shortcut().toString(QKeySequence::NativeText)));
  connect(openImages, &QPushButton::clicked, openImagesAction_, &QAction::trigger);
  connect(openFolder, &QPushButton::clicked, openFolderAction_, &QAction::trigger);
  connect(paste, &QPushButton::clicked, this, &ClassifyPage::pasteFromClipboard);
  connect(clear, &QPushButton::clicked, this, &ClassifyPage::clearResults);

  results_ = new ClassificationList;
  note_ = new QLabel;
  note_->setObjectName(QStringLiteral("classifyNote"));
  note_->setWordWrap(true);
  setNote(tr("Drop images, a folder or a checkpoint anywhere on the window."));

  auto* buttons = new QGridLayout;
  buttons->addWidget(openImages, 0, 0);
  buttons->addWidget(openFolder, 0, 1);
  buttons->addWidget(paste, 1, 0);
  buttons->addWidget(clear, 1, 1);
  auto* imagesLayout = new QVBoxLayout(imagesBox);
  imagesLayout->addLayout(buttons);
  imagesLayout->addWidget(note_);
  imagesLayout->addWidget(results_, 1);

  auto* column = new QWidget;
  column->setMinimumWidth(300);
  auto* layout = new QVBoxLayout(column);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(modelPanel_);
  layout->addWidget(imagesBox, 1);
  return column;
}

void ClassifyPage::chooseCheckpoint() {
  Q_EMIT activationRequested();
  const QString file = QFileDialog::getOpenFileName(
      this, tr("Open checkpoint"), lastCheckpoint_.isEmpty() ? QString() : QFileInfo(lastCheckpoint_).path(),
      tr("Checkpoints (*.safetensors *.pth *.pt *.bin *.ckpt);;All files (*)"));
  if (!file.isEmpty()) loadCheckpoint(file);
}

void ClassifyPage::chooseImages() {
  Q_EMIT activationRequested();
  const QStringList files = QFileDialog::getOpenFileNames(
      this, tr("Open images"), QString(),
      tr("Images (*.jpg *.jpeg *.png *.bmp *.webp *.ppm *.pgm *.tif *.tiff);;All files (*)"));
  if (!files.isEmpty()) classifyFiles(files);
}

void ClassifyPage::chooseFolder() {
  Q_EMIT activationRequested();
  const QString folder = QFileDialog::getExistingDirectory(this, tr("Classify the images of a folder"));
  if (!folder.isEmpty()) classifyFolder(folder);
}

void ClassifyPage::openPaths(const QStringList& paths) {
  QStringList images;
  for (const QString& path : paths) {
    const QFileInfo info(path);
    if (info.isDir()) {
      classifyFiles(images);  // in the order they were dropped
      images.clear();
      classifyFolder(path);
    } else if (isCheckpointFile(path)) {
      loadCheckpoint(path);
    } else {
      images << path;
    }
  }
  classifyFiles(images);
}

void ClassifyPage::loadCheckpoint(const QString& path) {
  lastCheckpoint_ = path;
  loadMarks_.append(nextId_);
  modelPanel_->showLoading(path);
  classifier_->load(path, modelPanel_->chosenModel());
}

void ClassifyPage::reloadLastModel() {
  const QSettings settings;
  const QString path = settings.value(kLastCheckpointKey).toString();
  if (path.isEmpty() || !QFileInfo(path).isFile()) return;
  modelPanel_->setChosenModel(settings.value(kLastModelKey).toString());
  loadCheckpoint(path);
}

void ClassifyPage::classifyFiles(const QStringList& files) {
  int first = -1;
  for (const QString& file : files) {
    const int row = addRow(QFileInfo(file).fileName(), file, {});
    if (first < 0) first = row;
  }
  if (first >= 0) results_->setCurrentRow(first);
}

void ClassifyPage::classifyFolder(const QString& folder) {
  int total = 0;
  const QStringList files = imageFilesInFolder(folder, kMaxFolderImages, &total);
  if (total == 0) {
    setNote(tr("%1 holds no images (%2).").arg(QFileInfo(folder).fileName(), tr("by extension: jpg, png, bmp, webp, ppm, tif")));
    return;
  }
  if (total > files.size()) {
    setNote(tr("%1: classifying the first %2 of %3 images.").arg(QFileInfo(folder).fileName()).arg(files.size()).arg(total));
  } else {
    setNote(total == 1 ? tr("%1: one image.").arg(QFileInfo(folder).fileName())
                       : tr("%1: %2 images.").arg(QFileInfo(folder).fileName()).arg(total));
  }
  classifyFiles(files);
}

void ClassifyPage::classifyImage(const QImage& image, const QString& title) {
  results_->setCurrentRow(addRow(title, {}, image));
}

void ClassifyPage::pasteFromClipboard() {
  Q_EMIT activationRequested();
  const QMimeData* data = QGuiApplication::clipboard()->mimeData();
  if (data && data->hasImage()) {
    classifyImage(qvariant_cast<QImage>(data->imageData()), tr("Pasted image %1").arg(++pastes_));
  } else if (const QStringList paths = localPaths(data); !paths.isEmpty()) {
    openPaths(paths);
  } else {
    setNote(tr("The clipboard holds no image."));
  }
}

void ClassifyPage::clearResults() {
  classifier_->skipBelow(nextId_);
  results_->clearRows();
  sources_.clear();
  saliencyAsked_.reset();
  saliency_.reset();
  details_->showNothing();
}

QString ClassifyPage::noteText() const { return note_->text(); }

void ClassifyPage::setNote(const QString& text) { note_->setText(text); }

QString ClassifyPage::waitingNote() const {
  return isLoading() ? tr("Waiting for the model…") : tr("Waiting for a model: open a checkpoint.");
}

int ClassifyPage::addRow(const QString& title, const QString& source, const QImage& pasted) {
  const int row = results_->addPending(nextId_++, title, waitingNote());
  sources_.append({source, pasted});
  request(row);
  return row;
}

// Without a model and none on the way, the row waits: a successful load classifies it.
void ClassifyPage::request(int row) {
  if (!model_ && !isLoading()) return;
  const int id = nextId_++;
  results_->setPending(row, id, tr("Classifying…"));
  const Source& source = sources_.at(row);
  if (source.path.isEmpty()) {
    classifier_->classifyImage(id, source.pasted, results_->titleAt(row));
  } else {
    classifier_->classifyFile(id, source.path);
  }
  if (row == results_->currentRow()) showCurrent();
}

void ClassifyPage::onModelLoaded(const LoadedModelInfo& info) {
  const int mark = loadMarks_.isEmpty() ? nextId_ : loadMarks_.takeFirst();
  model_ = info;
  reloadOnChoice_ = !info.fromMetadata;
  modelPanel_->showLoaded(info);
  QSettings settings;
  settings.setValue(kLastCheckpointKey, info.path);
  settings.setValue(kLastModelKey, info.fromMetadata ? QString() : info.choice);
  // Rows requested before this load were classified by the previous model (or wait for one).
  for (int row = 0; row < results_->count(); ++row) {
    if (results_->idAt(row) < mark) request(row);
  }
  Q_EMIT modelChanged();
}

void ClassifyPage::onLoadFailed(const QString& path, const QString& message) {
  if (!loadMarks_.isEmpty()) loadMarks_.removeFirst();
  reloadOnChoice_ = true;
  modelPanel_->showFailed(path, message);
  showCurrent();
}

void ClassifyPage::onClassified(const ImageClassification& result) {
  if (!results_->setResult(result)) return;  // cleared, or classified again since
  if (results_->idAt(results_->currentRow()) == result.id) showCurrent();
}

void ClassifyPage::onChosenModelChanged(const QString& name) {
  if (!name.isEmpty() && reloadOnChoice_ && !lastCheckpoint_.isEmpty()) loadCheckpoint(lastCheckpoint_);
}

void ClassifyPage::showCurrent() {
  const int row = results_->currentRow();
  if (row < 0) {
    details_->showNothing();
  } else if (const auto result = results_->resultAt(row)) {
    details_->showResult(results_->titleAt(row), *result);
    updateSaliency();
  } else {
    details_->showPending(results_->titleAt(row), model_ || isLoading() ? tr("Classifying…") : waitingNote());
  }
}

void ClassifyPage::onClassChosen(qint64 index) {
  if (!details_->isSaliencyOn()) return;
  chosenClass_ = index;
  updateSaliency();
}

// The map of the current row's chosen (or best) class: the last one again, or asked of the worker, which
// works through the queue after the classifications requested before it.
void ClassifyPage::updateSaliency() {
  const int row = results_->currentRow();
  const auto result = row >= 0 ? results_->resultAt(row) : std::nullopt;
  if (!details_->isSaliencyOn() || !result || !result->error.isEmpty() || result->top.isEmpty()) return;
  const qint64 index = chosenClass_ >= 0 ? chosenClass_ : result->top.first().index;
  if (saliency_ && saliency_->id == result->id && saliency_->classIndex == index) {
    details_->showSaliency(*saliency_);
    return;
  }
  QString name = tr("class %1").arg(index);
  for (const ClassScoreItem& score : result->top)
    if (score.index == index) name = score.name;
  details_->showSaliencyPending(name);
  const std::pair asked{result->id, index};
  if (saliencyAsked_ == asked) return;  // on its way
  saliencyAsked_ = asked;
  const Source& source = sources_.at(row);
  if (source.path.isEmpty()) {
    classifier_->explainImage(result->id, source.pasted, index);
  } else {
    classifier_->explainFile(result->id, source.path, index);
  }
}

void ClassifyPage::onExplained(const SaliencyResult& result) {
  if (saliencyAsked_ != std::pair{result.id, result.classIndex}) return;  // asked for another since
  saliencyAsked_.reset();
  saliency_ = result;
  const int row = results_->currentRow();
  if (row >= 0 && results_->idAt(row) == result.id) updateSaliency();
}

void ClassifyPage::dragEnterEvent(QDragEnterEvent* event) {
  if (!localPaths(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void ClassifyPage::dropEvent(QDropEvent* event) {
  const QStringList paths = localPaths(event->mimeData());
  if (paths.isEmpty()) return;
  event->acceptProposedAction();
  openPaths(paths);
}

}  // namespace fovea::ui
