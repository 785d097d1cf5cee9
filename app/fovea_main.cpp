// The Fovea GUI: Qt application setup and the main window.
#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

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
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("Fovea"));
  QApplication::setApplicationName(QStringLiteral("Fovea"));
  QApplication::setApplicationVersion(QStringLiteral(FOVEA_VERSION));

  QCommandLineParser parser;
  parser.setApplicationDescription(QApplication::translate("main", "Train and inspect image classifiers."));
  parser.addHelpOption();
  parser.addVersionOption();
  QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                QApplication::translate("main", "Save a picture of the window to <file> and quit."),
                                QApplication::translate("main", "file"));
  screenshot.setFlags(QCommandLineOption::HiddenFromHelp);
  parser.addOption(screenshot);
  parser.process(app);

  fovea::ui::MainWindow window;
  window.show();
  if (parser.isSet(screenshot)) scheduleScreenshot(&window, parser.value(screenshot));
  return QApplication::exec();
}
