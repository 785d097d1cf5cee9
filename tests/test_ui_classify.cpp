// The Classify page and the export dialog, offscreen: checkpoints and images dropped on the page or the
// window (one, several, a folder, files that are not images, a corrupt and a huge one), a checkpoint
// without metadata that needs the model chosen, a pasted image, the Grad-CAM toggle (a CNN's map, a ViT's
// refusal), and exports written off the GUI thread.
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QLabel>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QUrl>

#include <ATen/ATen.h>

#include "engine/checkpoint.h"
#include "engine/data/image_transform.h"
#include "engine/io/safetensors.h"
#include "engine/tensor_convert.h"
#include "models/registry.h"
#include "test_files.h"
#include "ui/classification_details.h"
#include "ui/classification_list.h"
#include "ui/classify_page.h"
#include "ui/export_dialog.h"
#include "ui/main_window.h"
#include "ui/model_panel.h"
#include "ui/top_classes_view.h"

using fovea::ui::ClassifyPage;
using fovea::ui::ImageClassification;

namespace {

constexpr int kLoadTimeoutMs = 60000;
constexpr int kClassifyTimeoutMs = 60000;
const QString kPhotos = QStringLiteral(FOVEA_TEST_FIXTURES "/photos/");

const std::vector<std::string> kCifarClasses = {"airplane", "automobile", "bird", "cat", "deer",
                                                "dog", "frog", "horse", "ship", "truck"};

void writePlainSafetensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors) {
  std::vector<fovea::engine::TensorToWrite> entries;
  for (const auto& [name, t] : tensors)
    entries.push_back({name, fovea::engine::dtype_of(t.scalar_type(), name), t.sizes().vec(), t.data_ptr(), t.nbytes()});
  fovea::engine::write_safetensors(path, entries, {});
}

// Drags `paths` over `target` and drops them there, as a file manager would.
bool dropFiles(QWidget* target, const QStringList& paths) {
  QMimeData mime;
  QList<QUrl> urls;
  for (const QString& path : paths) urls << QUrl::fromLocalFile(path);
  mime.setUrls(urls);
  const QPoint at = target->rect().center();
  QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QCoreApplication::sendEvent(target, &enter);
  if (!enter.isAccepted()) return false;
  QDropEvent drop(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QCoreApplication::sendEvent(target, &drop);
  return drop.isAccepted();
}

// A real photo's top classes: five names, probabilities in (0, 1] and most probable first.
bool isRankedTopFive(const ImageClassification& r) {
  if (!r.error.isEmpty() || r.top.size() != 5 || r.milliseconds <= 0 || r.preview.isNull()) return false;
  for (qsizetype i = 0; i < r.top.size(); ++i) {
    if (r.top[i].name.isEmpty() || r.top[i].probability <= 0 || r.top[i].probability > 1) return false;
    if (i > 0 && r.top[i].probability > r.top[i - 1].probability) return false;
  }
  return true;
}

}  // namespace

class TestUiClassify : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void init();
  void checkpointDropLoadsModel();
  void checkpointWithoutMetadataNeedsModelChoice();
  void dropsImagesWithErrorsInPlace();
  void imagesDroppedBeforeAModelWaitForIt();
  void folderClassifiesItsImages();
  void pasteClassifiesClipboardImage();
  void windowForwardsDropsToClassify();
  void gradCamToggleShowsTheMap();
  void gradCamNeedsAConvolutionalNetwork();
  void exportWritesSafetensors();
  void exportShowsErrors();

 private:
  QString path(const QString& name) const { return dir_.filePath(name); }
  void loadFoveaCheckpoint(ClassifyPage& page);

  QTemporaryDir dir_;
  QString foveaCheckpoint_;
  QString plainCheckpoint_;
  QString vitCheckpoint_;
};

void TestUiClassify::initTestCase() {
  QStandardPaths::setTestModeEnabled(true);
  QCoreApplication::setOrganizationName(QStringLiteral("Fovea"));
  QCoreApplication::setApplicationName(QStringLiteral("Fovea"));
  QVERIFY(dir_.isValid());
  QVERIFY(QFileInfo::exists(kPhotos + QStringLiteral("chelsea.jpg")));

  // A Fovea checkpoint (metadata: model, class names, preprocessing) and a plain state dict of ImageNet size.
  foveaCheckpoint_ = path(QStringLiteral("cifar.safetensors"));
  fovea::engine::save_checkpoint(
      foveaCheckpoint_.toStdString(), *fovea::models::create_model({"airbench94", 10, 3}),
      R"({"model":{"name":"airbench94","num_classes":10,"in_channels":3,"image_size":32},)"
      R"("class_names":["airplane","automobile","bird","cat","deer","dog","frog","horse","ship","truck"],)"
      R"("preprocessing":{"height":32,"width":32,"mean":[0.49,0.48,0.45],"std":[0.25,0.24,0.26]}})");
  plainCheckpoint_ = path(QStringLiteral("plain.safetensors"));
  writePlainSafetensors(plainCheckpoint_.toStdString(),
                        fovea::engine::state_dict(*fovea::models::create_model({"airbench94", 1000, 3})));

  vitCheckpoint_ = path(QStringLiteral("vit.safetensors"));
  fovea::engine::save_checkpoint(
      vitCheckpoint_.toStdString(), *fovea::models::create_model({"vit_tiny", 10, 3, false, 32}),
      R"({"model":{"name":"vit_tiny","num_classes":10,"in_channels":3,"image_size":32},)"
      R"("preprocessing":{"height":32,"width":32,"mean":[0.49,0.48,0.45],"std":[0.25,0.24,0.26]}})");

  fovea::testing::write_text(path(QStringLiteral("notes.txt")).toStdString(), "not an image\n");
  // A JPEG's first bytes, then noise: the decoder starts and fails.
  QFile chelsea(kPhotos + QStringLiteral("chelsea.jpg"));
  QVERIFY(chelsea.open(QIODevice::ReadOnly));
  std::vector<uint8_t> corrupt;
  const QByteArray head = chelsea.read(64);
  corrupt.assign(head.begin(), head.end());
  const std::vector<uint8_t> noise = fovea::testing::random_bytes(4096, 7);
  corrupt.insert(corrupt.end(), noise.begin(), noise.end());
  fovea::testing::write_bytes(path(QStringLiteral("corrupt.jpg")).toStdString(), corrupt);
  // A header that announces 900 megapixels: refused before anything is decoded.
  fovea::testing::write_text(path(QStringLiteral("huge.ppm")).toStdString(), "P6\n30000 30000\n255\nabc");
}

void TestUiClassify::init() { QSettings().clear(); }

void TestUiClassify::loadFoveaCheckpoint(ClassifyPage& page) {
  QVERIFY(dropFiles(&page, {foveaCheckpoint_}));
  QVERIFY(page.isLoading());
  QTRY_VERIFY_WITH_TIMEOUT(page.model().has_value(), kLoadTimeoutMs);
  QVERIFY(!page.isLoading());
}

void TestUiClassify::checkpointDropLoadsModel() {
  ClassifyPage page;
  page.show();
  QVERIFY(!page.model());
  QSignalSpy changed(&page, &ClassifyPage::modelChanged);
  loadFoveaCheckpoint(page);
  QCOMPARE(changed.count(), 1);
  QCOMPARE(page.model()->model, QStringLiteral("airbench94"));
  QCOMPARE(page.model()->classes, 10);
  QVERIFY(page.model()->fromMetadata);
  QCOMPARE(page.model()->path, foveaCheckpoint_);
  QVERIFY2(page.modelPanel()->statusText().contains(QStringLiteral("as the checkpoint's metadata says")),
           qPrintable(page.modelPanel()->statusText()));
  QCOMPARE(page.results()->count(), 0);  // a checkpoint is not an image

  QVERIFY(dropFiles(&page, {kPhotos + QStringLiteral("chelsea.jpg")}));
  QTRY_COMPARE_WITH_TIMEOUT(page.results()->finishedCount(), 1, kClassifyTimeoutMs);
  const auto result = page.results()->resultAt(0);
  QVERIFY(result && isRankedTopFive(*result));
  for (const auto& score : result->top)
    QVERIFY2(std::find(kCifarClasses.begin(), kCifarClasses.end(), score.name.toStdString()) != kCifarClasses.end(),
             qPrintable(score.name));
  QCOMPARE(result->size, QSize(451, 300));
  // The selected row's details: the bars show the same five classes.
  QCOMPARE(page.results()->currentRow(), 0);
  QCOMPARE(page.details()->topClasses()->scores().size(), 5);
  QCOMPARE(page.details()->topClasses()->scores().first().name, result->top.first().name);
}

void TestUiClassify::checkpointWithoutMetadataNeedsModelChoice() {
  ClassifyPage page;
  page.show();
  QVERIFY(dropFiles(&page, {plainCheckpoint_}));
  QTRY_VERIFY_WITH_TIMEOUT(!page.isLoading(), kLoadTimeoutMs);
  QVERIFY(!page.model());
  const QString status = page.modelPanel()->statusText();
  QVERIFY2(status.contains(QStringLiteral("has no Fovea metadata")) && status.contains(QStringLiteral("Choose the model")),
           qPrintable(status));

  // Choosing the model loads the file again, as that model.
  QComboBox* combo = page.modelPanel()->modelCombo();
  combo->setCurrentIndex(combo->findData(QStringLiteral("airbench94")));
  QVERIFY(page.isLoading());
  QTRY_VERIFY_WITH_TIMEOUT(page.model().has_value(), kLoadTimeoutMs);
  QCOMPARE(page.model()->classes, 1000);
  QVERIFY(!page.model()->fromMetadata);
  QCOMPARE(page.model()->choice, QStringLiteral("airbench94"));

  page.classifyFiles({kPhotos + QStringLiteral("coffee.jpg")});
  QTRY_COMPARE_WITH_TIMEOUT(page.results()->finishedCount(), 1, kClassifyTimeoutMs);
  const auto result = page.results()->resultAt(0);
  QVERIFY(result && isRankedTopFive(*result));
  for (const auto& score : result->top)  // ImageNet-1k's names, not "class N"
    QVERIFY2(!score.name.startsWith(QStringLiteral("class ")), qPrintable(score.name));
}

void TestUiClassify::dropsImagesWithErrorsInPlace() {
  ClassifyPage page;
  page.show();
  loadFoveaCheckpoint(page);
  const QStringList files = {kPhotos + QStringLiteral("chelsea.jpg"), kPhotos + QStringLiteral("coffee.jpg"),
                             kPhotos + QStringLiteral("camera.png"), path(QStringLiteral("notes.txt")),
                             path(QStringLiteral("corrupt.jpg")), path(QStringLiteral("huge.ppm"))};
  QVERIFY(dropFiles(&page, files));
  QCOMPARE(page.results()->count(), files.size());
  QTRY_COMPARE_WITH_TIMEOUT(page.results()->finishedCount(), int(files.size()), kClassifyTimeoutMs);
  QCOMPARE(page.results()->errorCount(), 3);
  for (int row = 0; row < 3; ++row) {
    const auto r = page.results()->resultAt(row);
    QVERIFY(r);
    QVERIFY2(isRankedTopFive(*r), qPrintable(r->error));
    QCOMPARE(page.results()->titleAt(row), QFileInfo(files[row]).fileName());
  }
  QVERIFY2(page.results()->resultAt(3)->error.contains(QStringLiteral("not an image (Fovea reads")),
           qPrintable(page.results()->resultAt(3)->error));
  QVERIFY2(page.results()->resultAt(4)->error.contains(QStringLiteral("a damaged or truncated JPEG")),
           qPrintable(page.results()->resultAt(4)->error));
  QVERIFY2(page.results()->resultAt(5)->error.contains(QStringLiteral("too large")),
           qPrintable(page.results()->resultAt(5)->error));
  // The row's text and the details show the error in place.
  QVERIFY(page.results()->item(3)->text().contains(QStringLiteral("not an image")));
  page.results()->setCurrentRow(5);
  QVERIFY(page.details()->errorText().contains(QStringLiteral("30000 × 30000")));
  QVERIFY(page.details()->topClasses()->scores().isEmpty());
}

void TestUiClassify::imagesDroppedBeforeAModelWaitForIt() {
  ClassifyPage page;
  page.show();
  QVERIFY(dropFiles(&page, {kPhotos + QStringLiteral("rocket.jpg")}));
  QCOMPARE(page.results()->count(), 1);
  QTest::qWait(200);
  QCOMPARE(page.results()->finishedCount(), 0);
  QVERIFY(page.results()->item(0)->text().contains(QStringLiteral("open a checkpoint")));
  loadFoveaCheckpoint(page);
  QTRY_COMPARE_WITH_TIMEOUT(page.results()->finishedCount(), 1, kClassifyTimeoutMs);
  QVERIFY(isRankedTopFive(*page.results()->resultAt(0)));
}

void TestUiClassify::folderClassifiesItsImages() {
  QTemporaryDir folder;
  for (const QString& name : {QStringLiteral("chelsea.jpg"), QStringLiteral("camera.png"), QStringLiteral("astronaut.jpg")})
    QVERIFY(QFile::copy(kPhotos + name, folder.filePath(name)));
  fovea::testing::write_text(folder.filePath(QStringLiteral("README.txt")).toStdString(), "not an image\n");
  ClassifyPage page;
  page.show();
  loadFoveaCheckpoint(page);
  QVERIFY(dropFiles(&page, {folder.path()}));
  QCOMPARE(page.results()->count(), 3);  // by extension: the text file is not part of it
  QCOMPARE(page.results()->titleAt(0), QStringLiteral("astronaut.jpg"));
  QTRY_COMPARE_WITH_TIMEOUT(page.results()->finishedCount(), 3, kClassifyTimeoutMs);
  QCOMPARE(page.results()->errorCount(), 0);
  QVERIFY2(page.noteText().contains(QStringLiteral("3 images")), qPrintable(page.noteText()));
}

void TestUiClassify::pasteClassifiesClipboardImage() {
  const QImage photo(kPhotos + QStringLiteral("coffee.jpg"));
  QVERIFY(!photo.isNull());
  QGuiApplication::clipboard()->setImage(photo);
  ClassifyPage page;
  page.show();
  QVERIFY(QTest::qWaitForWindowActive(&page));
  loadFoveaCheckpoint(page);
  QTest::keySequence(&page, QKeySequence::Paste);
  QCOMPARE(page.results()->count(), 1);
  QTRY_COMPARE_WITH_TIMEOUT(page.results()->finishedCount(), 1, kClassifyTimeoutMs);
  const auto pasted = page.results()->resultAt(0);
  QVERIFY2(isRankedTopFive(*pasted), qPrintable(pasted->error));
  QCOMPARE(pasted->size, photo.size());
  QVERIFY(page.results()->titleAt(0).startsWith(QStringLiteral("Pasted image")));

  // The same pixels from the file give the same classes (the clipboard image is RGB, as decoded files are).
  page.classifyFiles({kPhotos + QStringLiteral("coffee.jpg")});
  QTRY_COMPARE_WITH_TIMEOUT(page.results()->finishedCount(), 2, kClassifyTimeoutMs);
  const auto fromFile = page.results()->resultAt(1);
  QCOMPARE(fromFile->top.first().name, pasted->top.first().name);

  QGuiApplication::clipboard()->setText(QStringLiteral("just text"));
  page.pasteFromClipboard();
  QCOMPARE(page.results()->count(), 2);
  QVERIFY(page.noteText().contains(QStringLiteral("no image")));
}

void TestUiClassify::windowForwardsDropsToClassify() {
  fovea::ui::MainWindow window;
  window.show();
  auto* tabs = window.findChild<QTabWidget*>();
  QVERIFY(tabs);
  tabs->setCurrentIndex(0);  // Train
  QVERIFY(dropFiles(&window, {foveaCheckpoint_, kPhotos + QStringLiteral("chelsea.jpg"), kPhotos + QStringLiteral("rocket.jpg")}));
  QCOMPARE(tabs->currentWidget(), window.classifyPage());
  QCOMPARE(window.classifyPage()->results()->count(), 2);
  QTRY_COMPARE_WITH_TIMEOUT(window.classifyPage()->results()->finishedCount(), 2, kLoadTimeoutMs);
  QCOMPARE(window.classifyPage()->results()->errorCount(), 0);

  // A picture of the page, for people checking the layout.
  const QString pictures = qEnvironmentVariable("FOVEA_TEST_SCREENSHOT_DIR");
  if (!pictures.isEmpty()) {
    window.classifyPage()->openPaths({path(QStringLiteral("notes.txt"))});
    QTRY_COMPARE_WITH_TIMEOUT(window.classifyPage()->results()->finishedCount(), 3, kClassifyTimeoutMs);
    window.classifyPage()->results()->setCurrentRow(0);
    QVERIFY(window.grab().save(QDir(pictures).filePath(QStringLiteral("classify.png"))));
    window.showExportDialog();
    QVERIFY(window.exportDialog()->grab().save(QDir(pictures).filePath(QStringLiteral("export.png"))));
    window.exportDialog()->close();
  }

  // Drops of things that are not local files are refused.
  QMimeData text;
  text.setText(QStringLiteral("hello"));
  QDragEnterEvent enter(QPoint(5, 5), Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
  QCoreApplication::sendEvent(&window, &enter);
  QVERIFY(!enter.isAccepted());
}

// The model's 32 x 32 crop of a photo, as the Classify page's model sees it.
QImage modelCrop(const QString& file) {
  const at::Tensor crop = fovea::engine::apply_eval_transform(fovea::engine::read_rgb_image(file.toStdString()),
                                                              fovea::engine::EvalTransform{32, 32}).contiguous();
  return QImage(crop.data_ptr<uint8_t>(), int(crop.size(1)), int(crop.size(0)), int(crop.size(1)) * 3,
                QImage::Format_RGB888).copy();
}

void TestUiClassify::gradCamToggleShowsTheMap() {
  ClassifyPage page;
  page.resize(1000, 700);
  page.show();
  loadFoveaCheckpoint(page);
  const QString chelsea = kPhotos + QStringLiteral("chelsea.jpg");
  page.classifyFiles({chelsea});
  QTRY_COMPARE_WITH_TIMEOUT(page.results()->finishedCount(), 1, kClassifyTimeoutMs);
  const auto result = page.results()->resultAt(0);
  QVERIFY(result && isRankedTopFive(*result));
  fovea::ui::ClassificationDetails* details = page.details();
  const QImage plain = details->previewImage();
  QVERIFY(!plain.isNull());
  QVERIFY(details->saliencyImage().isNull());
  QVERIFY(!details->saliencyButton()->toolTip().isEmpty());

  // On: the map of the best class, at the model's input size, over the model's crop.
  QTest::mouseClick(details->saliencyButton(), Qt::LeftButton);
  QVERIFY(details->isSaliencyOn());
  QTRY_VERIFY_WITH_TIMEOUT(!details->saliencyImage().isNull(), kClassifyTimeoutMs);
  const QImage overlay = details->saliencyImage().convertToFormat(QImage::Format_RGB888);
  QCOMPARE(overlay.size(), QSize(32, 32));
  const QImage crop = modelCrop(chelsea);
  QCOMPARE(crop.size(), overlay.size());
  // The crop blended with the jet colours at 45 %: no channel moves further than 0.45 * 255, some move.
  int largest = 0;
  for (int y = 0; y < crop.height(); ++y)
    for (int x = 0; x < crop.width() * 3; ++x)
      largest = std::max(largest, std::abs(int(overlay.constScanLine(y)[x]) - int(crop.constScanLine(y)[x])));
  QVERIFY2(largest > 0 && largest <= 116, qPrintable(QString::number(largest)));
  QVERIFY(details->previewImage() != plain);
  QVERIFY2(details->saliencyText().contains(QStringLiteral("“%1”").arg(result->top.first().name)),
           qPrintable(details->saliencyText()));
  QCOMPARE(details->topClasses()->markedClass(), result->top.first().index);

  // A click on the second bar explains that class.
  const fovea::ui::ClassScoreItem second = result->top.at(1);
  fovea::ui::TopClassesView* bars = details->topClasses();
  QTest::mouseClick(bars, Qt::LeftButton, {}, QPoint(bars->width() / 2, bars->rowTop(second.index) + 5));
  QTRY_COMPARE_WITH_TIMEOUT(bars->markedClass(), second.index, kClassifyTimeoutMs);
  QVERIFY2(details->saliencyText().contains(QStringLiteral("“%1”").arg(second.name)), qPrintable(details->saliencyText()));
  QCOMPARE(details->saliencyImage().size(), QSize(32, 32));
  if (const QString pictures = qEnvironmentVariable("FOVEA_TEST_SCREENSHOT_DIR"); !pictures.isEmpty())
    QVERIFY(page.grab().save(QDir(pictures).filePath(QStringLiteral("classify-gradcam.png"))));

  // Off: the image itself again.
  QTest::mouseClick(details->saliencyButton(), Qt::LeftButton);
  QVERIFY(details->saliencyImage().isNull());
  QCOMPARE(details->previewImage(), plain);
  QVERIFY(details->saliencyText().isEmpty());

  // A pasted image (kept in memory) has its map too; the toggle stays on for the new row.
  details->setSaliencyOn(true);
  page.classifyImage(QImage(chelsea), QStringLiteral("Pasted image"));
  QCOMPARE(page.results()->currentRow(), 1);
  QTRY_COMPARE_WITH_TIMEOUT(page.results()->finishedCount(), 2, kClassifyTimeoutMs);
  QTRY_VERIFY_WITH_TIMEOUT(!details->saliencyImage().isNull(), kClassifyTimeoutMs);
  QCOMPARE(details->saliencyImage().size(), QSize(32, 32));
  QCOMPARE(details->topClasses()->markedClass(), page.results()->resultAt(1)->top.first().index);
}

void TestUiClassify::gradCamNeedsAConvolutionalNetwork() {
  ClassifyPage page;
  page.show();
  QVERIFY(dropFiles(&page, {vitCheckpoint_}));
  QTRY_VERIFY_WITH_TIMEOUT(page.model().has_value(), kLoadTimeoutMs);
  QCOMPARE(page.model()->model, QStringLiteral("vit_tiny"));
  page.classifyFiles({kPhotos + QStringLiteral("coffee.jpg")});
  QTRY_COMPARE_WITH_TIMEOUT(page.results()->finishedCount(), 1, kClassifyTimeoutMs);
  QVERIFY(isRankedTopFive(*page.results()->resultAt(0)));
  const QImage plain = page.details()->previewImage();
  page.details()->setSaliencyOn(true);
  QTRY_VERIFY_WITH_TIMEOUT(page.details()->saliencyText().contains(QStringLiteral("Grad-CAM needs a convolutional network")),
                           kClassifyTimeoutMs);
  QVERIFY(page.details()->saliencyImage().isNull());
  QCOMPARE(page.details()->previewImage(), plain);  // the image stays in view
}

void TestUiClassify::exportWritesSafetensors() {
  fovea::ui::MainWindow window;
  window.show();
  loadFoveaCheckpoint(*window.classifyPage());
  window.showExportDialog();
  fovea::ui::ExportDialog* dialog = window.exportDialog();
  QCOMPARE(dialog->checkpoint(), foveaCheckpoint_);
  QVERIFY(!dialog->isOnnx());
  QVERIFY(dialog->outputPath().endsWith(QStringLiteral("cifar-export.safetensors")));

  // ONNX: this build's or the model's refusal, before anything runs (airbench94 has no ONNX graph).
  dialog->setOnnx(true);
  QVERIFY(dialog->outputPath().endsWith(QStringLiteral("cifar-export.onnx")));
  QVERIFY2(dialog->onnxNote().contains(QStringLiteral("no ONNX support")) ||
               dialog->onnxNote().contains(QStringLiteral("airbench94 is not supported")),
           qPrintable(dialog->onnxNote()));
  QVERIFY(!dialog->exportButton()->isEnabled());
  QVERIFY(!dialog->startExport());

  dialog->setOnnx(false);
  const QString out = path(QStringLiteral("exported.safetensors"));
  dialog->setOutputPath(out);
  QSignalSpy finished(dialog, &fovea::ui::ExportDialog::exportFinished);
  QVERIFY(dialog->startExport());
  QVERIFY(dialog->isRunning());
  QVERIFY(!dialog->exportButton()->isEnabled());
  QVERIFY(finished.wait(kLoadTimeoutMs));
  QCOMPARE(finished.first().first().toBool(), true);
  QVERIFY2(dialog->resultText().contains(QStringLiteral("exported.safetensors")), qPrintable(dialog->resultText()));
  QVERIFY(QFileInfo(out).size() > 1000);
  QVERIFY(!dialog->isRunning());
  QVERIFY(dialog->exportButton()->isEnabled());
  dialog->close();
}

void TestUiClassify::exportShowsErrors() {
  fovea::ui::ExportDialog dialog;
  dialog.setCheckpoint(plainCheckpoint_);  // no metadata, and no model chosen
  dialog.setOutputPath(path(QStringLiteral("plain-export.safetensors")));
  QSignalSpy finished(&dialog, &fovea::ui::ExportDialog::exportFinished);
  QVERIFY(dialog.startExport());
  QVERIFY(finished.wait(kLoadTimeoutMs));
  QCOMPARE(finished.first().first().toBool(), false);
  QVERIFY2(dialog.resultText().contains(QStringLiteral("no Fovea metadata")), qPrintable(dialog.resultText()));
  QVERIFY(!QFileInfo::exists(path(QStringLiteral("plain-export.safetensors"))));

  dialog.setOutputPath(QStringLiteral("/nonexistent/folder/out.safetensors"));
  QVERIFY(dialog.startExport());
  QVERIFY(finished.wait(kLoadTimeoutMs));
  QCOMPARE(finished.last().first().toBool(), false);
  QVERIFY2(dialog.resultText().contains(QStringLiteral("does not exist")), qPrintable(dialog.resultText()));
}

QTEST_MAIN(TestUiClassify)
#include "test_ui_classify.moc"
