// The desktop integration of the main window, offscreen, with settings in a temporary folder: files
// opened as from the command line or a file manager (an image to Classify, a checkpoint to Evaluate, a
// missing file to a message), File → Open Recent and its persistence, window geometry and last choices
// across windows, the shortcuts of the main actions, the About dialog's versions, the status bar,
// tooltips on every setting, and plots and the confusion matrix following a dark palette.
#include <QAbstractButton>
#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QRegularExpression>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include "engine/build_info.h"
#include "engine/checkpoint.h"
#include "engine/device_status.h"
#include "models/registry.h"
#include "ui/about_dialog.h"
#include "ui/classification_list.h"
#include "ui/classify_page.h"
#include "ui/confusion_heatmap.h"
#include "ui/custom_plot.h"
#include "ui/dataset_picker.h"
#include "ui/device_status_label.h"
#include "ui/download_dialog.h"
#include "ui/eval_settings_form.h"
#include "ui/evaluate_page.h"
#include "ui/export_dialog.h"
#include "ui/main_window.h"
#include "ui/model_panel.h"
#include "ui/recent_files.h"
#include "ui/recent_files_menu.h"
#include "ui/run_controls.h"
#include "ui/train_page.h"
#include "ui/train_settings_form.h"

using fovea::ui::MainWindow;

namespace {

constexpr int kLoadTimeoutMs = 60000;
const QString kPhoto = QStringLiteral(FOVEA_TEST_FIXTURES "/photos/chelsea.jpg");

QStringList actionData(const QList<QAction*>& actions) {
  QStringList paths;
  for (const QAction* action : actions) paths << action->data().toString();
  return paths;
}

// All actions of the menu bar's menus and their submenus.
QList<QAction*> menuActions(const QMenuBar* bar) {
  QList<QAction*> all;
  QList<QMenu*> menus;
  for (QAction* top : bar->actions())
    if (top->menu()) menus << top->menu();
  while (!menus.isEmpty()) {
    QMenu* menu = menus.takeFirst();
    for (QAction* action : menu->actions()) {
      if (action->menu()) menus << action->menu();
      if (!action->isSeparator() && !action->menu()) all << action;
    }
  }
  return all;
}

QAction* findAction(const QMenuBar* bar, const QString& text) {
  for (QAction* action : menuActions(bar))
    if (action->text() == text) return action;
  return nullptr;
}

QPalette darkPalette() {
  QPalette dark;
  dark.setColor(QPalette::Window, QColor(35, 35, 38));
  dark.setColor(QPalette::WindowText, QColor(230, 230, 230));
  dark.setColor(QPalette::Base, QColor(24, 24, 26));
  dark.setColor(QPalette::AlternateBase, QColor(45, 45, 48));
  dark.setColor(QPalette::Text, QColor(230, 230, 230));
  dark.setColor(QPalette::Button, QColor(45, 45, 48));
  dark.setColor(QPalette::ButtonText, QColor(230, 230, 230));
  dark.setColor(QPalette::Highlight, QColor(61, 142, 245));
  dark.setColor(QPalette::Mid, QColor(90, 90, 95));
  return dark;
}

bool isDark(QRgb pixel) { return QColor::fromRgb(pixel).lightness() < 80; }

}  // namespace

class TestUiDesktop : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void init();
  void imageGoesToClassifyAndWaitsForAModel();
  void checkpointWithImagesClassifiesThem();
  void checkpointGoesToEvaluate();
  void missingFileGivesAMessage();
  void recentFilesUpdateAndPersist();
  void recentListKeepsTheNewestFirst();
  void recentDatasetGoesToTheShownPage();
  void geometryPageAndChoicesPersist();
  void lastModelReloads();
  void mainActionsHaveUniqueShortcuts_data();
  void mainActionsHaveUniqueShortcuts();
  void runActionsFollowTheirButtons();
  void aboutDialogNamesTheVersions();
  void statusBarShowsDeviceAndJobs();
  void everySettingHasATooltip();
  void plotsAndHeatmapFollowADarkPalette();

 private:
  QString path(const QString& name) const { return dir_.filePath(name); }

  QTemporaryDir settingsDir_;
  QTemporaryDir dir_;
  QString checkpoint_;
};

void TestUiDesktop::initTestCase() {
  QVERIFY(settingsDir_.isValid());
  QVERIFY(dir_.isValid());
  // Nothing of the user's settings is read or written: INI files in a temporary folder.
  QStandardPaths::setTestModeEnabled(true);
  QSettings::setDefaultFormat(QSettings::IniFormat);
  QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir_.path());
  QCoreApplication::setOrganizationName(QStringLiteral("FoveaDesktopTest"));
  QCoreApplication::setApplicationName(QStringLiteral("FoveaDesktopTest"));
  QVERIFY(QFileInfo::exists(kPhoto));

  checkpoint_ = path(QStringLiteral("cifar.safetensors"));
  fovea::engine::save_checkpoint(
      checkpoint_.toStdString(), *fovea::models::create_model({"airbench94", 10, 3}),
      R"({"model":{"name":"airbench94","num_classes":10,"in_channels":3,"image_size":32},)"
      R"("class_names":["airplane","automobile","bird","cat","deer","dog","frog","horse","ship","truck"],)"
      R"("preprocessing":{"height":32,"width":32,"mean":[0.49,0.48,0.45],"std":[0.25,0.24,0.26]}})");
}

void TestUiDesktop::init() {
  QSettings().clear();
  QCOMPARE(QSettings().fileName().startsWith(settingsDir_.path()), true);
}

void TestUiDesktop::imageGoesToClassifyAndWaitsForAModel() {
  MainWindow window;
  window.show();
  window.pages()->setCurrentWidget(window.trainPage());
  QVERIFY(window.openFiles({kPhoto}));
  QCOMPARE(window.pages()->currentWidget(), window.classifyPage());
  const auto* results = window.classifyPage()->results();
  QCOMPARE(results->count(), 1);
  QCOMPARE(results->titleAt(0), QStringLiteral("chelsea.jpg"));
  QCOMPARE(results->currentRow(), 0);
  auto* info = window.classifyPage()->findChild<QLabel*>(QStringLiteral("classificationInfo"));
  QVERIFY(info);
  QCOMPARE(info->text(), fovea::ui::ClassifyPage::tr("Waiting for a model: open a checkpoint."));
  QVERIFY(window.openFilesMessage().isEmpty());
}

void TestUiDesktop::checkpointWithImagesClassifiesThem() {
  MainWindow window;
  QVERIFY(window.openFiles({checkpoint_, kPhoto}));
  QCOMPARE(window.pages()->currentWidget(), window.classifyPage());
  QCOMPARE(window.evaluatePage()->settingsForm()->checkpoint(), checkpoint_);
  const auto* results = window.classifyPage()->results();
  QTRY_VERIFY_WITH_TIMEOUT(results->resultAt(0).has_value(), kLoadTimeoutMs);
  QVERIFY(results->resultAt(0)->error.isEmpty());
  QCOMPARE(results->resultAt(0)->top.size(), 5);
  QCOMPARE(window.classifyPage()->model()->path, checkpoint_);
}

void TestUiDesktop::checkpointGoesToEvaluate() {
  MainWindow window;
  window.pages()->setCurrentWidget(window.trainPage());
  QVERIFY(window.openFiles({checkpoint_}));
  QCOMPARE(window.pages()->currentWidget(), window.evaluatePage());
  QCOMPARE(window.evaluatePage()->settingsForm()->checkpoint(), checkpoint_);
  QVERIFY(window.evaluatePage()->settingsForm()->checkpointHasMetadata());
  QCOMPARE(window.classifyPage()->results()->count(), 0);
  QVERIFY(!window.classifyPage()->isLoading());  // a checkpoint alone is for evaluating, not classifying
  QCOMPARE(window.recentCheckpoints()->paths().value(0), QDir::toNativeSeparators(checkpoint_));
}

void TestUiDesktop::missingFileGivesAMessage() {
  MainWindow window;
  window.show();
  window.pages()->setCurrentWidget(window.trainPage());
  const QString missing = path(QStringLiteral("no-such-photo.jpg"));
  QVERIFY(!window.openFiles({missing}));
  QCOMPARE(window.pages()->currentWidget(), window.trainPage());
  QCOMPARE(window.classifyPage()->results()->count(), 0);
  QVERIFY(window.openFilesMessage().contains(missing));
  auto* box = window.findChild<QMessageBox*>(QStringLiteral("openFilesMessageBox"));
  QVERIFY(box);
  QTRY_VERIFY(box->isVisible());
  QVERIFY(box->text().contains(missing));
  box->accept();

  // A missing file among good ones: the good ones open, the message names only the missing one.
  QVERIFY(window.openFiles({missing, kPhoto}));
  QCOMPARE(window.classifyPage()->results()->count(), 1);
  QVERIFY(window.openFilesMessage().contains(missing));
  QVERIFY(!window.openFilesMessage().contains(kPhoto));
}

void TestUiDesktop::recentFilesUpdateAndPersist() {
  const QString dataset = QStringLiteral(FOVEA_FASHION_MNIST);
  {
    MainWindow window;
    QVERIFY(window.recentFilesMenu()->checkpointActions().isEmpty());
    window.openFiles({checkpoint_});
    QCOMPARE(actionData(window.recentFilesMenu()->checkpointActions()), QStringList{QDir::toNativeSeparators(checkpoint_)});
    QCOMPARE(window.recentFilesMenu()->checkpointActions().first()->text(), QStringLiteral("cifar.safetensors"));
    window.recentDatasets()->add(dataset);
  }
  MainWindow second;
  QCOMPARE(second.recentCheckpoints()->paths(), QStringList{QDir::toNativeSeparators(checkpoint_)});
  QCOMPARE(actionData(second.recentFilesMenu()->checkpointActions()), QStringList{QDir::toNativeSeparators(checkpoint_)});
  QCOMPARE(second.recentDatasets()->paths(), QStringList{QDir::toNativeSeparators(dataset)});

  // Choosing the recent checkpoint on the Classify page loads it there.
  second.showClassifyPage();
  second.recentFilesMenu()->checkpointActions().first()->trigger();
  QTRY_VERIFY_WITH_TIMEOUT(second.classifyPage()->model().has_value(), kLoadTimeoutMs);
  QCOMPARE(second.classifyPage()->model()->path, QDir::toNativeSeparators(checkpoint_));
}

void TestUiDesktop::recentListKeepsTheNewestFirst() {
  fovea::ui::RecentFiles recent(QStringLiteral("recent/checkpoints"));
  fovea::ui::RecentFiles datasets(QStringLiteral("recent/datasets"));
  fovea::ui::RecentFilesMenu menu(&recent, &datasets);
  QStringList files;
  for (int i = 0; i < fovea::ui::RecentFiles::kMaxEntries + 2; ++i) {
    files << QDir::toNativeSeparators(path(QStringLiteral("model-%1.pth").arg(i)));
    QFile file(files.last());
    QVERIFY(file.open(QIODevice::WriteOnly));
    recent.add(files.last());
  }
  QCOMPARE(recent.paths().size(), fovea::ui::RecentFiles::kMaxEntries);
  QCOMPARE(recent.paths().first(), files.last());
  QVERIFY(!recent.paths().contains(files.first()));  // the oldest dropped out
  recent.add(files.at(5));                            // again: to the front, no duplicate
  QCOMPARE(recent.paths().first(), files.at(5));
  QCOMPARE(recent.paths().count(files.at(5)), 1);
  // A file that has gone stays in the list but not in the menu.
  QVERIFY(QFile::remove(files.last()));
  recent.add(files.at(6));
  QVERIFY(recent.paths().contains(files.last()));
  QVERIFY(!actionData(menu.checkpointActions()).contains(files.last()));
  QCOMPARE(menu.checkpointActions().size(), fovea::ui::RecentFiles::kMaxEntries - 1);
  recent.clear();
  QVERIFY(menu.checkpointActions().isEmpty());
}

void TestUiDesktop::recentDatasetGoesToTheShownPage() {
  const QString dataset = QDir::toNativeSeparators(QStringLiteral(FOVEA_FASHION_MNIST));
  MainWindow window;
  window.recentDatasets()->add(dataset);
  QCOMPARE(window.recentFilesMenu()->datasetActions().size(), 1);
  window.pages()->setCurrentWidget(window.evaluatePage());
  window.evaluatePage()->settingsForm()->datasetPicker()->setPath(path(QStringLiteral("elsewhere")));
  window.recentFilesMenu()->datasetActions().first()->trigger();
  QCOMPARE(window.evaluatePage()->settingsForm()->datasetPicker()->path(), dataset);

  window.pages()->setCurrentWidget(window.classifyPage());
  window.trainPage()->settingsForm()->datasetPicker()->setPath(path(QStringLiteral("elsewhere")));
  window.recentFilesMenu()->datasetActions().first()->trigger();
  QCOMPARE(window.pages()->currentWidget(), window.trainPage());
  QCOMPARE(window.trainPage()->settingsForm()->datasetPicker()->path(), dataset);
}

void TestUiDesktop::geometryPageAndChoicesPersist() {
  const QSize size(1290, 790);
  {
    MainWindow window;
    window.show();
    window.resize(size);
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.pages()->setCurrentWidget(window.evaluatePage());
    window.evaluatePage()->settingsForm()->batchSizeSpin()->setValue(77);
    window.evaluatePage()->settingsForm()->setCheckpoint(checkpoint_);
    fovea::engine::TrainConfig config = window.trainPage()->settingsForm()->config();
    config.epochs = 7;
    config.model = "vit_tiny";
    window.trainPage()->settingsForm()->setConfig(config);
    window.close();
  }
  MainWindow second;
  QCOMPARE(second.size(), size);
  QCOMPARE(second.pages()->currentWidget(), second.evaluatePage());
  QCOMPARE(second.evaluatePage()->settingsForm()->batchSizeSpin()->value(), 77);
  QCOMPARE(second.evaluatePage()->settingsForm()->checkpoint(), checkpoint_);
  QCOMPARE(second.trainPage()->settingsForm()->config().epochs, 7);
  QCOMPARE(second.trainPage()->settingsForm()->config().model, std::string("vit_tiny"));
}

void TestUiDesktop::lastModelReloads() {
  {
    MainWindow window;
    window.classifyPage()->loadCheckpoint(checkpoint_);
    QTRY_VERIFY_WITH_TIMEOUT(window.classifyPage()->model().has_value(), kLoadTimeoutMs);
  }
  MainWindow second;
  QVERIFY(!second.classifyPage()->model().has_value());
  second.reloadLastModel();
  QTRY_VERIFY_WITH_TIMEOUT(second.classifyPage()->model().has_value(), kLoadTimeoutMs);
  QCOMPARE(second.classifyPage()->model()->path, checkpoint_);

  // A model file that has gone since is not asked for.
  QSettings().setValue(QStringLiteral("classifyPage/checkpoint"), path(QStringLiteral("gone.safetensors")));
  MainWindow third;
  third.reloadLastModel();
  QVERIFY(!third.classifyPage()->isLoading());
}

void TestUiDesktop::mainActionsHaveUniqueShortcuts_data() {
  QTest::addColumn<QString>("text");
  QTest::addColumn<QKeySequence>("shortcut");
  QTest::newRow("start training") << MainWindow::tr("&Start training") << QKeySequence(QStringLiteral("Ctrl+R"));
  QTest::newRow("pause training") << MainWindow::tr("&Pause or resume training") << QKeySequence(QStringLiteral("Ctrl+Shift+P"));
  QTest::newRow("stop training") << MainWindow::tr("S&top training") << QKeySequence(QStringLiteral("Ctrl+."));
  QTest::newRow("evaluate") << MainWindow::tr("&Evaluate") << QKeySequence(QStringLiteral("Ctrl+Shift+E"));
  QTest::newRow("open checkpoint") << fovea::ui::ClassifyPage::tr("Open &checkpoint…") << QKeySequence(QKeySequence::Open);
  QTest::newRow("open images") << fovea::ui::ClassifyPage::tr("Open &images…") << QKeySequence(QStringLiteral("Ctrl+Shift+O"));
  QTest::newRow("export") << MainWindow::tr("&Export model…") << QKeySequence(QStringLiteral("Ctrl+E"));
  QTest::newRow("train page") << MainWindow::tr("&Train page") << QKeySequence(QStringLiteral("Ctrl+1"));
  QTest::newRow("classify page") << MainWindow::tr("&Classify page") << QKeySequence(QStringLiteral("Ctrl+2"));
  QTest::newRow("evaluate page") << MainWindow::tr("&Evaluate page") << QKeySequence(QStringLiteral("Ctrl+3"));
}

void TestUiDesktop::mainActionsHaveUniqueShortcuts() {
  QFETCH(QString, text);
  QFETCH(QKeySequence, shortcut);
  MainWindow window;
  const QAction* action = findAction(window.menuBar(), text);
  QVERIFY2(action, qPrintable(text));
  QCOMPARE(action->shortcut(), shortcut);
  int holders = 0;
  for (const QAction* other : menuActions(window.menuBar())) holders += other->shortcut() == shortcut ? 1 : 0;
  QCOMPARE(holders, 1);
}

void TestUiDesktop::runActionsFollowTheirButtons() {
  MainWindow window;
  window.show();
  QAction* start = findAction(window.menuBar(), MainWindow::tr("&Start training"));
  QAction* stop = findAction(window.menuBar(), MainWindow::tr("S&top training"));
  QAction* evaluate = findAction(window.menuBar(), MainWindow::tr("&Evaluate"));
  QVERIFY(start && stop && evaluate);
  auto* form = window.trainPage()->settingsForm();
  form->datasetPicker()->setPath(path(QStringLiteral("no-data-here")));
  QTRY_VERIFY(!window.trainPage()->runControls()->startButton()->isEnabled());
  QVERIFY(!start->isEnabled());
  QVERIFY(!stop->isEnabled());
  form->datasetPicker()->setPath(QStringLiteral(FOVEA_FASHION_MNIST));
  QTRY_VERIFY(window.trainPage()->runControls()->startButton()->isEnabled());
  QVERIFY(start->isEnabled());
  QCOMPARE(evaluate->isEnabled(), window.evaluatePage()->evaluateButton()->isEnabled());
  QVERIFY(window.trainPage()->runControls()->startButton()->toolTip().contains(QStringLiteral("Ctrl+R")));

  // Switching pages by shortcut.
  findAction(window.menuBar(), MainWindow::tr("&Classify page"))->trigger();
  QCOMPARE(window.pages()->currentWidget(), window.classifyPage());
}

void TestUiDesktop::aboutDialogNamesTheVersions() {
  const QString text = fovea::ui::AboutDialog::versionsText();
  const fovea::engine::BuildInfo info = fovea::engine::build_info();
  QVERIFY2(text.startsWith(QStringLiteral("Fovea %1\n").arg(QString::fromStdString(info.fovea))), qPrintable(text));
  QVERIFY(text.contains(QStringLiteral("\nQt %1").arg(QString::fromLatin1(qVersion()))));
  QVERIFY(text.contains(QStringLiteral("\nLibTorch %1\n").arg(QString::fromStdString(info.libtorch))));
  QVERIFY(text.contains(QStringLiteral("\nOpenCV %1").arg(QString::fromStdString(info.opencv))));
  QVERIFY(QRegularExpression(QStringLiteral("^\\d+\\.\\d+\\.\\d+$")).match(QString::fromStdString(info.libtorch)).hasMatch());
  // The GPU runtimes and ONNX: named when built in, else said to be absent; one line each either way.
  QVERIFY(text.contains(QStringLiteral("\nLibTorch's GPU runtime ")));
  QVERIFY(text.contains(QStringLiteral("\nFovea's GPU kernels ")));
  QVERIFY(text.contains(QStringLiteral("\nONNX export ")));
  QCOMPARE(text.count(QLatin1Char('\n')), 6);
  MainWindow window;
  window.show();
  window.showAboutDialog();
  auto* dialog = window.findChild<fovea::ui::AboutDialog*>(QStringLiteral("aboutDialog"));
  QVERIFY(dialog);
  QTRY_VERIFY(dialog->isVisible());
  auto* icon = dialog->findChild<QLabel*>(QStringLiteral("aboutIcon"));
  QVERIFY(icon);
  QVERIFY(!icon->pixmap().isNull());
  dialog->close();
}

void TestUiDesktop::statusBarShowsDeviceAndJobs() {
  MainWindow window;
  const QString device = fovea::ui::DeviceStatusLabel::describe(fovea::engine::compute_device_status("auto"));
  QTRY_COMPARE(window.deviceText(), device);
  QVERIFY(device.contains(QStringLiteral("CPU")) || device.contains(QStringLiteral("cuda")));
  QVERIFY(window.jobStateText().startsWith(MainWindow::tr("Training: %1").arg(QString())));
}

// Every input of every form explains itself on hover.
void TestUiDesktop::everySettingHasATooltip() {
  MainWindow window;
  fovea::ui::DownloadDialog download;
  QList<QWidget*> forms = {window.trainPage()->settingsForm(), window.trainPage()->runControls(),
                           window.evaluatePage()->settingsForm(), window.classifyPage()->modelPanel(),
                           window.exportDialog(), &download};
  QStringList missing;
  for (QWidget* form : forms) {
    for (QWidget* input : form->findChildren<QWidget*>()) {
      // A line edit's clear button and a dialog's standard buttons (Close) need no explanation.
      QWidget* parent = input->parentWidget();
      const auto* button = qobject_cast<QAbstractButton*>(input);
      const auto* buttonRow = qobject_cast<QDialogButtonBox*>(parent);
      const bool isButton = button && !qobject_cast<QLineEdit*>(parent) &&
                            (!buttonRow || buttonRow->standardButton(const_cast<QAbstractButton*>(button)) ==
                                               QDialogButtonBox::NoButton);
      const bool isSetting = qobject_cast<QComboBox*>(input) || qobject_cast<QAbstractSpinBox*>(input) || isButton ||
                             (qobject_cast<QLineEdit*>(input) && !qobject_cast<QComboBox*>(parent) &&
                              !qobject_cast<QAbstractSpinBox*>(parent));
      if (isSetting && input->toolTip().isEmpty())
        missing << QStringLiteral("%1/%2 \"%3\"").arg(QString::fromLatin1(form->metaObject()->className()),
                                                         QString::fromLatin1(input->metaObject()->className()),
                                                         input->property("text").toString());
    }
  }
  QVERIFY2(missing.isEmpty(), qPrintable(missing.join(QStringLiteral("\n"))));
}

void TestUiDesktop::plotsAndHeatmapFollowADarkPalette() {
  const QPalette light = QApplication::palette();
  QVERIFY(!isDark(light.color(QPalette::Base).rgb()));
  MainWindow window;
  auto* lossPlot = window.findChild<QCustomPlot*>(QStringLiteral("lossPlot"));
  QVERIFY(lossPlot);
  QVERIFY(!isDark(lossPlot->toPixmap(200, 150).toImage().pixel(2, 2)));
  fovea::ui::ConfusionHeatmap heatmap;
  heatmap.resize(300, 300);
  heatmap.setMatrix({5, 0, 1, 4}, 2, {"a", "b"});
  const QPoint emptyCell = heatmap.cellRect(0, 1).center().toPoint();
  QVERIFY(!isDark(heatmap.grab().toImage().pixel(emptyCell)));

  QApplication::setPalette(darkPalette());
  QCoreApplication::processEvents();  // the change reaches the widgets as posted events
  QVERIFY(isDark(lossPlot->toPixmap(200, 150).toImage().pixel(2, 2)));
  QVERIFY(isDark(heatmap.grab().toImage().pixel(emptyCell)));
  // The diagonal (most of each row) stands out from the dark background: lighter, not darker.
  const QPoint fullCell = heatmap.cellRect(0, 0).center().toPoint();
  QVERIFY(QColor::fromRgb(heatmap.grab().toImage().pixel(fullCell)).lightness() > 120);
  QApplication::setPalette(light);
}

QTEST_MAIN(TestUiDesktop)
#include "test_ui_desktop.moc"
