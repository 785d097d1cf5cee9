// fovea-screenshots: drives the real main window through the four journeys and saves a picture of each,
// for the README and the AppStream metainfo (docs/make_screenshots.sh runs it under Xvfb):
//   train.png     a short CPU run on Fashion-MNIST (limited data): curves, progress, test predictions
//   classify.png  test images of that data set classified with the run's last checkpoint
//   evaluate.png  that checkpoint evaluated on the test split: accuracy, per-class table, confusion matrix
//   export.png    the export dialog for that checkpoint
// Settings and the run's checkpoints go to a temporary folder: the user's settings are neither read nor
// changed. Exit code 0 when all four pictures were written.
#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QImage>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QThread>
#include <cstdio>
#include <functional>

#include "engine/data/idx_reader.h"
#include "engine/train_config.h"
#include "ui/app_icon.h"
#include "ui/classification_list.h"
#include "ui/classify_page.h"
#include "ui/confusion_heatmap.h"
#include "ui/dataset_picker.h"
#include "ui/eval_settings_form.h"
#include "ui/evaluate_page.h"
#include "ui/export_dialog.h"
#include "ui/main_window.h"
#include "ui/run_controls.h"
#include "ui/train_page.h"
#include "ui/train_settings_form.h"

namespace {

constexpr int kTrainTimeoutMs = 15 * 60 * 1000;
constexpr int kStepTimeoutMs = 5 * 60 * 1000;
constexpr int kSettleMs = 800;
constexpr int kEpochs = 4;
constexpr int kImageScale = 4;  // queued replots and lazy thumbnails
const QSize kWindowSize(1360, 860);
const char* const kFashionMnist = "/usr/share/datasets/fashion-mnist";

bool waitUntil(const std::function<bool()>& done, int timeoutMs) {
  QElapsedTimer timer;
  timer.start();
  while (!done()) {
    if (timer.elapsed() > timeoutMs) return false;
    QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    QThread::msleep(10);
  }
  return true;
}

void settle() {
  waitUntil([] { return false; }, kSettleMs);
}

bool save(QWidget* widget, const QString& folder, const QString& name) {
  settle();
  const QString file = QDir(folder).filePath(name);
  const bool ok = widget->grab().save(file);
  std::fprintf(stderr, "%s %s\n", ok ? "wrote" : "could not write", qPrintable(file));
  return ok;
}

bool fail(const char* what) {
  std::fprintf(stderr, "fovea-screenshots: %s\n", what);
  return false;
}

// A few test images of the data set as PNG files, as a user would have them on disk.
QStringList writeTestImages(const QString& folder, int count) {
  const std::string root = kFashionMnist;
  const auto images = fovea::engine::read_idx_images(root + "/t10k-images-idx3-ubyte.gz",
                                                     root + "/t10k-labels-idx1-ubyte.gz", count);
  static const char* const kNames[] = {"t-shirt", "trouser", "pullover", "dress", "coat",
                                       "sandal",  "shirt",   "sneaker",  "bag",   "ankle-boot"};
  QStringList files;
  const auto side = int(images.width);
  for (int64_t i = 0; i < images.count; ++i) {
    QImage image(images.pixels.data() + i * side * side, side, side, side, QImage::Format_Grayscale8);
    const QString file =
        QDir(folder).filePath(QStringLiteral("%1-%2.png").arg(kNames[images.labels[size_t(i)] % 10]).arg(i));
    // Four times larger (sharp pixels), as a photo would be: the preview shows small images small.
    if (image.scaled(side * kImageScale, side * kImageScale, Qt::IgnoreAspectRatio, Qt::FastTransformation).save(file))
      files << file;
  }
  return files;
}

bool trainJourney(fovea::ui::MainWindow& window, const QString& folder) {
  fovea::ui::TrainPage* page = window.trainPage();
  fovea::engine::TrainConfig config = page->settingsForm()->config();
  config.model = "resnet18";
  config.cifar_stem = false;
  config.data_path = kFashionMnist;
  config.device = "cpu";
  config.epochs = kEpochs;
  config.batch_size = 128;
  config.limit_train = 8000;
  config.limit_test = 2000;
  page->settingsForm()->setConfig(config);
  window.pages()->setCurrentWidget(page);
  QPushButton* start = page->runControls()->startButton();
  if (!waitUntil([start] { return start->isEnabled(); }, kStepTimeoutMs)) return fail("training cannot start");
  start->click();
  if (!waitUntil([page] { return fovea::engine::is_terminal(page->jobState()); }, kTrainTimeoutMs))
    return fail("training did not finish");
  if (page->jobState() != fovea::engine::JobState::Finished) return fail("training failed");
  return save(&window, folder, QStringLiteral("train.png"));
}

bool classifyJourney(fovea::ui::MainWindow& window, const QString& checkpoint, const QString& images, const QString& folder) {
  window.openFiles(QStringList{checkpoint} + writeTestImages(images, 12));
  const auto* results = window.classifyPage()->results();
  if (!waitUntil([results] { return results->count() > 0 && results->finishedCount() == results->count(); },
                 kStepTimeoutMs))
    return fail("classification did not finish");
  window.classifyPage()->results()->setCurrentRow(7);
  return save(&window, folder, QStringLiteral("classify.png"));
}

bool evaluateJourney(fovea::ui::MainWindow& window, const QString& checkpoint, const QString& folder) {
  fovea::ui::EvaluatePage* page = window.evaluatePage();
  window.pages()->setCurrentWidget(page);
  page->settingsForm()->setCheckpoint(checkpoint);
  page->settingsForm()->datasetPicker()->setPath(QString::fromLatin1(kFashionMnist));
  if (!waitUntil([page] { return page->evaluateButton()->isEnabled(); }, kStepTimeoutMs))
    return fail("evaluation cannot start");
  page->startEvaluation();
  if (!waitUntil([page] { return page->summary().has_value(); }, kStepTimeoutMs)) return fail("evaluation did not finish");
  // Into the most frequent confusion, as a user would click it: shirts taken for T-shirts (6 → 0).
  page->heatmap()->selectCell(6, 0);
  return save(&window, folder, QStringLiteral("evaluate.png"));
}

bool exportJourney(fovea::ui::MainWindow& window, const QString& checkpoint, const QString& folder) {
  fovea::ui::ExportDialog* dialog = window.exportDialog();
  dialog->setCheckpoint(checkpoint, QStringLiteral("resnet18"));
  dialog->setOnnx(true);
  dialog->setOutputPath(QDir::home().filePath(QStringLiteral("fashion-resnet18.onnx")));
  dialog->show();
  const bool ok = save(dialog, folder, QStringLiteral("export.png"));
  dialog->hide();
  return ok;
}

}  // namespace

int main(int argc, char* argv[]) {
  QApplication app(argc, argv);
  QApplication::setWindowIcon(fovea::ui::applicationIcon());
  const QStringList args = QApplication::arguments();
  if (args.size() != 2) {
    std::fprintf(stderr, "usage: fovea-screenshots OUTPUT_FOLDER\n");
    return 2;
  }
  const QString folder = args.at(1);
  QDir().mkpath(folder);

  QTemporaryDir scratch;
  QSettings::setDefaultFormat(QSettings::IniFormat);
  QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, scratch.filePath(QStringLiteral("settings")));
  QApplication::setOrganizationName(QStringLiteral("Fovea"));
  QApplication::setApplicationName(QStringLiteral("Fovea"));
  QDir(scratch.path()).mkpath(QStringLiteral("runs"));
  QDir(scratch.path()).mkpath(QStringLiteral("images"));

  fovea::ui::MainWindow window;
  window.trainPage()->setRunsDirectory(scratch.filePath(QStringLiteral("runs")));
  window.resize(kWindowSize);
  window.show();

  bool ok = trainJourney(window, folder);
  const QString checkpoint = window.trainPage()->checkpointOfEpoch(kEpochs);
  if (ok && checkpoint.isEmpty()) ok = fail("the run wrote no checkpoint");
  ok = ok && classifyJourney(window, checkpoint, scratch.filePath(QStringLiteral("images")), folder);
  ok = ok && evaluateJourney(window, checkpoint, folder);
  ok = ok && exportJourney(window, checkpoint, folder);
  return ok ? 0 : 1;
}
