// The Evaluate page end to end, offscreen: a plain safetensors checkpoint (the model chosen in the list)
// evaluated on a small generated image folder gives the engine's own numbers; the per-class table, the
// confusion matrix (a click selects the cell's images in the gallery), the most confident mistakes and
// the CSV/JSON files follow from them; a long run cancels back to idle; the data set picker offers a
// download; a gallery image's Grad-CAM map; the status bar names the compute device.
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QListView>
#include <QLocale>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

#include <ATen/ATen.h>

#include "collecting_observer.h"
#include "engine/checkpoint.h"
#include "engine/device_status.h"
#include "engine/eval_job.h"
#include "engine/io/safetensors.h"
#include "engine/tensor_convert.h"
#include "models/registry.h"
#include "test_files.h"
#include "ui/class_metrics_table.h"
#include "ui/confusion_heatmap.h"
#include "ui/dataset_picker.h"
#include "ui/eval_settings_form.h"
#include "ui/evaluate_page.h"
#include "ui/evaluation_summary_panel.h"
#include "ui/device_status_label.h"
#include "ui/main_window.h"
#include "ui/prediction_browser.h"
#include "ui/prediction_list_model.h"
#include "ui/saliency_dialog.h"
#include "ui/sample_image.h"
#include "ui/train_page.h"
#include "ui/train_settings_form.h"

using fovea::engine::JobState;
using fovea::ui::ClassMetricsModel;
using fovea::ui::EvaluatePage;
using fovea::ui::PredictionListModel;

namespace {

constexpr int kClasses = 3;
constexpr int kPerClass = 4;
constexpr int kLongPerClass = 1500;  // with batches of one: seconds of work, far too long to end before the cancel
constexpr int kEvalTimeoutMs = 120000;
constexpr int kCancelTimeoutMs = 30000;

void writePlainSafetensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors) {
  std::vector<fovea::engine::TensorToWrite> entries;
  for (const auto& [name, t] : tensors)
    entries.push_back({name, fovea::engine::dtype_of(t.scalar_type(), name), t.sizes().vec(), t.data_ptr(), t.nbytes()});
  fovea::engine::write_safetensors(path, entries, {});
}

// A class-per-folder data set of RGB images without train/ and val/ (one split, evaluated whole). Each
// image has one strong channel at its own level over dim noise: an untrained model then predicts a mix
// of classes rather than the same one for every image.
void writeImageFolder(const QString& root, int classes, int perClass, int side) {
  for (int c = 0; c < classes; ++c) {
    for (int i = 0; i < perClass; ++i) {
      const QString path = QStringLiteral("%1/class%2/%3.ppm").arg(root).arg(c).arg(i);
      std::vector<uint8_t> pixels = fovea::testing::random_bytes(size_t(side * side * 3), uint32_t(c * 10000 + i));
      const int level = ((c * perClass + i) * 37) % 256;
      for (size_t k = 0; k < pixels.size(); ++k) pixels[k] = uint8_t(k % 3 == size_t(i % 3) ? level : pixels[k] / 4);
      fovea::testing::write_netpbm(path.toStdString(), side, side, pixels, true);
    }
  }
}

int predicted(const fovea::engine::SamplePrediction& s) { return s.top_classes.empty() ? -1 : s.top_classes.front(); }

}  // namespace

class TestUiEvaluate : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void init();
  void evaluatesAFolderEndToEnd();
  void cancelReturnsToIdle();
  void galleryImageShowsGradCam();
  void filesWithMetadataNeedNoModel();
  void datasetPickerOffersADownload();
  void statusBarNamesTheDevice();

 private:
  void chooseInputs(EvaluatePage& page, const QString& data, int batchSize) const;

  QTemporaryDir dir_;
  QString data_, longData_, checkpoint_;
};

void TestUiEvaluate::initTestCase() {
  QStandardPaths::setTestModeEnabled(true);  // QSettings under ~/.qttest
  QCoreApplication::setOrganizationName(QStringLiteral("Fovea"));
  QCoreApplication::setApplicationName(QStringLiteral("Fovea"));
  QVERIFY(dir_.isValid());
  data_ = dir_.filePath(QStringLiteral("folder"));
  longData_ = dir_.filePath(QStringLiteral("long"));
  checkpoint_ = dir_.filePath(QStringLiteral("airbench.safetensors"));
  writeImageFolder(data_, kClasses, kPerClass, 16);
  writeImageFolder(longData_, kClasses, kLongPerClass, 16);
  // Untrained weights that spread some class over several predicted classes (see evaluatesAFolderEndToEnd).
  bool spread = false;
  for (uint64_t seed = 1; seed <= 40 && !spread; ++seed) {
    at::manual_seed(seed);
    writePlainSafetensors(checkpoint_.toStdString(),
                          fovea::engine::state_dict(*fovea::models::create_model({"airbench94", kClasses, 3})));
    fovea::engine::EvalConfig config;
    config.checkpoint = checkpoint_.toStdString();
    config.model = "airbench94";
    config.data_path = data_.toStdString();
    config.device = "cpu";
    fovea::testing::CollectingObserver observer;
    fovea::engine::JobControl control;
    const auto summary = fovea::engine::evaluate_checkpoint(config, control, observer);
    for (const int64_t n : summary.confusion) spread = spread || (n > 0 && n < kPerClass);
  }
  QVERIFY2(spread, "no untrained airbench94 predicts more than one class for the images of a class");
}

void TestUiEvaluate::init() { QSettings().clear(); }

void TestUiEvaluate::chooseInputs(EvaluatePage& page, const QString& data, int batchSize) const {
  fovea::ui::EvalSettingsForm* form = page.settingsForm();
  form->setCheckpoint(checkpoint_);
  form->datasetPicker()->setPath(data);
  form->deviceCombo()->setCurrentIndex(form->deviceCombo()->findData(QStringLiteral("cpu")));
  form->batchSizeSpin()->setValue(batchSize);
  QVERIFY(!form->checkpointHasMetadata());
  QVERIFY(!page.evaluateButton()->isEnabled());  // no model chosen yet, and the file does not name one
  form->modelCombo()->setCurrentIndex(form->modelCombo()->findData(QStringLiteral("airbench94")));
  QVERIFY2(form->isReady(), qPrintable(form->notReadyReason()));
  QVERIFY(page.evaluateButton()->isEnabled());
}

void TestUiEvaluate::evaluatesAFolderEndToEnd() {
  EvaluatePage page;
  page.resize(1400, 900);
  page.show();
  chooseInputs(page, data_, 5);
  const fovea::engine::EvalConfig config = page.settingsForm()->config();
  QCOMPARE(config.sample_predictions, kClasses * kPerClass);  // every image of a small data set

  // The engine's own numbers for the same configuration.
  fovea::testing::CollectingObserver reference;
  fovea::engine::JobControl control;
  const fovea::engine::EvaluationSummary expected = fovea::engine::evaluate_checkpoint(config, control, reference);
  QCOMPARE(reference.predictions.size(), size_t{1});
  const auto& samples = reference.predictions.front().items;
  QCOMPARE(samples.size(), size_t(kClasses * kPerClass));

  QTest::mouseClick(page.evaluateButton(), Qt::LeftButton);
  QVERIFY(!page.evaluateButton()->isEnabled());
  QTRY_COMPARE_WITH_TIMEOUT(page.jobState(), JobState::Finished, kEvalTimeoutMs);
  QVERIFY(page.evaluateButton()->isEnabled());
  QVERIFY(!page.cancelButton()->isEnabled());
  QVERIFY(page.saveCsvButton()->isEnabled());

  // Acc@1 as the engine computes it, in percent.
  QVERIFY(page.summary().has_value());
  QCOMPARE(page.summary()->top1, expected.top1);
  QCOMPARE(page.summary()->confusion, expected.confusion);
  const QLocale locale;
  QCOMPARE(page.summaryPanel()->acc1Text(), QStringLiteral("%1 %").arg(locale.toString(100.0 * expected.top1, 'f', 3)));
  QCOMPARE(page.summaryPanel()->acc5Text(), QStringLiteral("%1 %").arg(locale.toString(100.0 * expected.top5, 'f', 3)));
  QCOMPARE(page.summaryPanel()->imagesText(), locale.toString(kClasses * kPerClass));
  QCOMPARE(page.summaryPanel()->progressValue(), page.summaryPanel()->progressMaximum());

  // The per-class table: one row per class, supports summing to the image count; sortable.
  QSortFilterProxyModel* table = page.metricsProxy();
  QCOMPARE(table->rowCount(), kClasses);
  qlonglong support = 0;
  for (int row = 0; row < table->rowCount(); ++row)
    support += table->index(row, ClassMetricsModel::SupportColumn).data(ClassMetricsModel::kSortRole).toLongLong();
  QCOMPARE(support, qlonglong(kClasses * kPerClass));
  page.metricsView()->sortByColumn(ClassMetricsModel::ClassColumn, Qt::DescendingOrder);
  QCOMPARE(table->index(0, ClassMetricsModel::ClassColumn).data().toString(), QStringLiteral("class2"));
  QCOMPARE(table->index(2, ClassMetricsModel::ClassColumn).data().toString(), QStringLiteral("class0"));
  page.metricsView()->sortByColumn(ClassMetricsModel::RecallColumn, Qt::DescendingOrder);
  for (int row = 1; row < table->rowCount(); ++row) {
    QVERIFY(table->index(row - 1, ClassMetricsModel::RecallColumn).data(ClassMetricsModel::kSortRole).toDouble() >=
            table->index(row, ClassMetricsModel::RecallColumn).data(ClassMetricsModel::kSortRole).toDouble());
  }
  for (const fovea::ui::ClassMetrics& m : page.classMetrics()) {
    const int64_t correct = expected.confusion[size_t(m.index * kClasses + m.index)];
    QCOMPARE(m.correct, correct);
    QCOMPARE(*m.recall, double(correct) / kPerClass);
  }

  // The gallery holds every image; a click on a matrix cell keeps exactly that cell's images.
  fovea::ui::PredictionBrowser* gallery = page.gallery();
  QCOMPARE(gallery->count(), kClasses * kPerClass);
  fovea::ui::ConfusionHeatmap* heatmap = page.heatmap();
  QCOMPARE(heatmap->classCount(), kClasses);
  // A cell that holds some but not all images of its row: its filter differs from a class filter. The
  // images vary enough for the untrained model to spread classes over several cells (checked, or this
  // test would prove less than it says).
  int trueClass = -1, predictedClass = -1, inCell = 0;
  for (int t = 0; t < kClasses && trueClass < 0; ++t) {
    for (int p = 0; p < kClasses && trueClass < 0; ++p) {
      const int64_t n = expected.confusion[size_t(t * kClasses + p)];
      if (n > 0 && n < kPerClass) trueClass = t, predictedClass = p, inCell = int(n);
    }
  }
  QVERIFY2(trueClass >= 0, "the untrained model predicts one class for all images of each class");
  int sampled = 0;
  for (const auto& s : samples) sampled += s.label == trueClass && predicted(s) == predictedClass ? 1 : 0;
  QCOMPARE(sampled, inCell);
  QCOMPARE(heatmap->count(trueClass, predictedClass), int64_t(inCell));
  const QPoint cellCentre = heatmap->cellRect(trueClass, predictedClass).center().toPoint();
  QVERIFY(heatmap->cellAt(cellCentre) == std::make_optional(std::pair{trueClass, predictedClass}));
  QTest::mouseClick(heatmap, Qt::LeftButton, {}, cellCentre);
  QVERIFY(heatmap->selectedCell() == std::make_optional(std::pair{trueClass, predictedClass}));
  QCOMPARE(gallery->count(), inCell);
  const PredictionListModel* items = gallery->model();
  for (int row = 0; row < items->rowCount(); ++row) {
    QCOMPARE(items->index(row).data(PredictionListModel::TrueClassRole).toInt(), trueClass);
    QCOMPARE(items->index(row).data(PredictionListModel::PredictedClassRole).toInt(), predictedClass);
  }
  QVERIFY(heatmap->cellText(trueClass, predictedClass)
              .contains(QStringLiteral("class%1 → predicted class%2: %3").arg(trueClass).arg(predictedClass).arg(inCell)));

  // Most confident mistakes: the wrong ones only, most confident first.
  int wrong = 0;
  for (const auto& s : samples) wrong += s.correct() ? 0 : 1;
  QTest::mouseClick(gallery->mistakesButton(), Qt::LeftButton);
  QCOMPARE(gallery->count(), wrong);
  QVERIFY(!heatmap->selectedCell().has_value());  // the gallery left the cell: the matrix shows none
  for (int row = 0; row < items->rowCount(); ++row) {
    QVERIFY(!items->index(row).data(PredictionListModel::CorrectRole).toBool());
    if (row > 0)
      QVERIFY(items->index(row - 1).data(PredictionListModel::ConfidenceRole).toDouble() >=
              items->index(row).data(PredictionListModel::ConfidenceRole).toDouble());
  }
  // The class filter narrows further; "Right only" shows the complement.
  gallery->resultFilter()->setCurrentIndex(gallery->resultFilter()->findData(int(PredictionListModel::Result::Correct)));
  QCOMPARE(gallery->count(), kClasses * kPerClass - wrong);

  // The files: the per-class table as CSV, everything as JSON.
  const QString csvPath = dir_.filePath(QStringLiteral("results/eval.csv"));
  QVERIFY(QDir().mkpath(QFileInfo(csvPath).path()));
  QCOMPARE(page.saveCsv(csvPath), QString());
  QFile csv(csvPath);
  QVERIFY(csv.open(QIODevice::ReadOnly));
  const QStringList lines = QString::fromUtf8(csv.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
  QCOMPARE(lines.size(), 1 + kClasses);
  QVERIFY(lines.front().startsWith(QStringLiteral("class_index,class,accuracy,precision,f1,support")));
  for (int c = 0; c < kClasses; ++c) {
    const QStringList fields = lines.at(1 + c).split(QLatin1Char(','));
    QCOMPARE(fields.at(0), QString::number(c));
    QCOMPARE(fields.at(1), QStringLiteral("class%1").arg(c));
    QCOMPARE(fields.at(5), QString::number(kPerClass));
    QCOMPARE(fields.at(2).toDouble(), 100.0 * double(expected.confusion[size_t(c * kClasses + c)]) / kPerClass);
  }

  const QString jsonPath = dir_.filePath(QStringLiteral("results/eval.json"));
  QCOMPARE(page.saveJson(jsonPath), QString());
  QFile jsonFile(jsonPath);
  QVERIFY(jsonFile.open(QIODevice::ReadOnly));
  const QJsonObject json = QJsonDocument::fromJson(jsonFile.readAll()).object();
  QCOMPARE(json.value(QStringLiteral("checkpoint")).toString(), checkpoint_);
  QCOMPARE(json.value(QStringLiteral("model")).toString(), QStringLiteral("airbench94"));
  QCOMPARE(json.value(QStringLiteral("acc1")).toDouble(), 100.0 * expected.top1);
  QCOMPARE(json.value(QStringLiteral("acc5")).toDouble(), 100.0 * expected.top5);
  QCOMPARE(json.value(QStringLiteral("loss")).toDouble(), page.summary()->loss);
  QCOMPARE(json.value(QStringLiteral("images")).toInteger(), qint64(kClasses * kPerClass));
  QVERIFY(json.value(QStringLiteral("images_per_second")).toDouble() > 0);
  const QJsonArray perClass = json.value(QStringLiteral("per_class")).toArray();
  QCOMPARE(perClass.size(), kClasses);
  QCOMPARE(perClass.at(1).toObject().value(QStringLiteral("class")).toString(), QStringLiteral("class1"));
  QCOMPARE(perClass.at(1).toObject().value(QStringLiteral("support")).toInteger(), qint64(kPerClass));
  // Written atomically: nothing but the two files is left in the folder.
  QCOMPARE(QDir(QFileInfo(csvPath).path()).entryList(QDir::Files).size(), 2);
  QVERIFY(!page.saveCsv(dir_.filePath(QStringLiteral("missing/folder/eval.csv"))).isEmpty());
}

// A double-click on a gallery image: the evaluated model's Grad-CAM map of its prediction, on the crop.
void TestUiEvaluate::galleryImageShowsGradCam() {
  EvaluatePage page;
  page.resize(1400, 900);
  page.show();
  chooseInputs(page, data_, 5);
  QTest::mouseClick(page.evaluateButton(), Qt::LeftButton);
  QTRY_COMPARE_WITH_TIMEOUT(page.jobState(), JobState::Finished, kEvalTimeoutMs);
  fovea::ui::PredictionBrowser* gallery = page.gallery();
  QCOMPARE(gallery->count(), kClasses * kPerClass);
  QVERIFY(!page.saliencyDialog());  // made when first needed

  const int row = 2;
  const fovea::engine::SamplePrediction& sample = gallery->model()->sampleAt(row);
  QListView* view = gallery->view();
  const QModelIndex index = gallery->model()->index(row);
  view->scrollTo(index);
  QTRY_VERIFY(view->visualRect(index).isValid());
  // As a mouse does it: the first click's press and release, then the second press as a double-click.
  QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(index).center());
  QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(index).center());
  fovea::ui::SaliencyDialog* dialog = page.saliencyDialog();
  QVERIFY(dialog);
  QVERIFY(dialog->isVisible());
  QVERIFY(dialog->isBusy());
  QSignalSpy explained(dialog, &fovea::ui::SaliencyDialog::explained);
  QVERIFY(explained.wait(kEvalTimeoutMs));
  const auto result = explained.first().first().value<fovea::ui::SaliencyResult>();
  QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
  QVERIFY(!result.unsupported);
  QCOMPARE(result.classIndex, qint64(predicted(sample)));
  // The map covers the crop the gallery holds, which the model saw as it is.
  const QImage overlay = dialog->overlay();
  QCOMPARE(overlay.size(), QSize(sample.image.width, sample.image.height));
  QCOMPARE(result.crop.size(), overlay.size());
  QVERIFY(result.crop.convertToFormat(QImage::Format_RGB888) == fovea::ui::toQImage(sample.image).convertToFormat(QImage::Format_RGB888));
  QVERIFY(overlay != result.crop);
  // The data set's class names, not the plain checkpoint's "class N".
  QVERIFY2(dialog->statusText().contains(QStringLiteral("“class%1”").arg(predicted(sample))), qPrintable(dialog->statusText()));

  if (const QString pictures = qEnvironmentVariable("FOVEA_TEST_SCREENSHOT_DIR"); !pictures.isEmpty()) {
    QVERIFY(page.grab().save(QDir(pictures).filePath(QStringLiteral("evaluate-page.png"))));
    QVERIFY(dialog->grab().save(QDir(pictures).filePath(QStringLiteral("evaluate-gradcam.png"))));
  }

  // Another image reuses the loaded model.
  page.showSaliency(0);
  QVERIFY(explained.wait(kEvalTimeoutMs));
  QCOMPARE(explained.last().first().value<fovea::ui::SaliencyResult>().classIndex,
           qint64(predicted(gallery->model()->sampleAt(0))));
  QVERIFY(!dialog->overlay().isNull());
}

void TestUiEvaluate::cancelReturnsToIdle() {
  EvaluatePage page;
  page.show();
  chooseInputs(page, longData_, 1);
  QTest::mouseClick(page.evaluateButton(), Qt::LeftButton);
  QTRY_VERIFY_WITH_TIMEOUT(page.summaryPanel()->progressValue() > 0, kEvalTimeoutMs);  // evaluating batches
  QVERIFY(page.cancelButton()->isEnabled());
  QTest::mouseClick(page.cancelButton(), Qt::LeftButton);
  QTRY_COMPARE_WITH_TIMEOUT(page.jobState(), JobState::Cancelled, kCancelTimeoutMs);
  QVERIFY(!page.isJobActive());
  QVERIFY(!page.summary().has_value());
  QVERIFY(page.evaluateButton()->isEnabled());
  QVERIFY(!page.cancelButton()->isEnabled());
  QVERIFY(!page.saveJsonButton()->isEnabled());
  QVERIFY(page.settingsForm()->isEnabled());
  QVERIFY(page.summaryPanel()->progressValue() < page.summaryPanel()->progressMaximum());

  // It starts again after a cancel, and the page can be destroyed while it runs.
  QTest::mouseClick(page.evaluateButton(), Qt::LeftButton);
  QTRY_COMPARE_WITH_TIMEOUT(page.jobState(), JobState::Running, kCancelTimeoutMs);
}

// A Fovea checkpoint names its model: the list is disabled and not needed.
void TestUiEvaluate::filesWithMetadataNeedNoModel() {
  const QString path = dir_.filePath(QStringLiteral("fovea.safetensors"));
  fovea::engine::save_checkpoint(path.toStdString(), *fovea::models::create_model({"airbench94", kClasses, 3}),
                                 R"({"model":{"name":"airbench94","num_classes":3,"in_channels":3,"image_size":16},)"
                                 R"("preprocessing":{"mean":[0.5,0.5,0.5],"std":[0.25,0.25,0.25]}})");
  EvaluatePage page;
  page.settingsForm()->datasetPicker()->setPath(data_);
  page.settingsForm()->setCheckpoint(path);
  QVERIFY(page.settingsForm()->checkpointHasMetadata());
  QVERIFY(!page.settingsForm()->modelCombo()->isEnabled());
  QVERIFY(page.evaluateButton()->isEnabled());
  QCOMPARE(page.settingsForm()->config().model, std::string());

  page.settingsForm()->setCheckpoint(checkpoint_);  // plain safetensors again: the list is needed
  QVERIFY(page.settingsForm()->modelCombo()->isEnabled());
  QVERIFY(!page.evaluateButton()->isEnabled());
}

// The button opens DownloadDialog::run, a modal dialog: only its presence is checked here.
void TestUiEvaluate::datasetPickerOffersADownload() {
  fovea::ui::TrainPage page;
  QPushButton* button = page.settingsForm()->datasetPicker()->downloadButton();
  QVERIFY(button);
  QCOMPARE(button->objectName(), QStringLiteral("datasetDownloadButton"));
  QVERIFY(button->isEnabled());
  QVERIFY(!button->toolTip().isEmpty());
  QCOMPARE(page.findChildren<QPushButton*>(QStringLiteral("datasetDownloadButton")).size(), 1);
}

void TestUiEvaluate::statusBarNamesTheDevice() {
  fovea::ui::MainWindow window;
  QCOMPARE(window.evaluatePage()->parentWidget() != nullptr, true);
  auto* label = window.findChild<QLabel*>(QStringLiteral("deviceLabel"));
  QVERIFY(label);
  QTRY_COMPARE(label->text(), fovea::ui::DeviceStatusLabel::describe(fovea::engine::compute_device_status("auto")));
}

QTEST_MAIN(TestUiEvaluate)
#include "test_ui_evaluate.moc"
