// The Fovea GUI: Qt application setup and the main window. `fovea FILE…` opens the files as a file
// manager would (the .desktop file passes them the same way): images to Classify, checkpoints to Evaluate.
#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include <csignal>

#include "ui/app_icon.h"
#include "ui/main_window.h"

namespace {

constexpr int kScreenshotDelayMs = 1500;

// Saves a picture of `window` to `file` once the window has settled, then quits (exit code 1 when the
// picture cannot be written). Used to check the layout on machines without a screen grabber.
void scheduleScreenshot(QWidget* window, const QString& file) {
  QTimer::singleShot(kScreenshotDelayMs, window, [window, file] {
    QApplication::exit(window->grab().save(file) ? 0 : 1);
  });
}

}  // namespace

int main(int argc, char* argv[]) {
  // Past a file-size limit a write then fails with EFBIG and is reported, instead of SIGXFSZ ending the app.
  std::signal(SIGXFSZ, SIG_IGN);
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("Fovea"));
  QApplication::setApplicationName(QStringLiteral("Fovea"));
  QApplication::setApplicationVersion(QStringLiteral(FOVEA_VERSION));
  // The .desktop file's name: Wayland compositors match the window to its icon and entry by it.
  QGuiApplication::setDesktopFileName(QStringLiteral("io.github.fovea.Fovea"));
  QApplication::setWindowIcon(fovea::ui::applicationIcon());

  QCommandLineParser parser;
  parser.setApplicationDescription(QApplication::translate("main", "Train and inspect image classifiers."));
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument(
      QStringLiteral("files"),
      QApplication::translate("main", "Images or folders to classify, or a checkpoint to evaluate."),
      QApplication::translate("main", "[FILE…]"));
  QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                QApplication::translate("main", "Save a picture of the window to <file> and quit."),
                                QApplication::translate("main", "file"));
  screenshot.setFlags(QCommandLineOption::HiddenFromHelp);
  parser.addOption(screenshot);
  parser.process(app);

  fovea::ui::MainWindow window;
  window.show();
  window.reloadLastModel();
  // After the window is up, so that a message about a missing file has a window to sit on.
  const QStringList files = parser.positionalArguments();
  if (!files.isEmpty()) QTimer::singleShot(0, &window, [&window, files] { window.openFiles(files); });
  if (parser.isSet(screenshot)) scheduleScreenshot(&window, parser.value(screenshot));
  return QApplication::exec();
}
