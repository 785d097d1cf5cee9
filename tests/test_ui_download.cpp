// The download dialog against a local HTTP server: an error is shown, a cancel keeps the partial
// file, and a data set folder already there is returned at once.
#include <QLabel>
#include <QSignalSpy>
#include <QtTest>

#include <filesystem>

#include "local_http_server.h"
#include "test_files.h"
#include "ui/download_dialog.h"

namespace ft = fovea::testing;
namespace fs = std::filesystem;
using fovea::ui::DownloadDialog;

class UiDownloadTest : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  QString dest(const char* name) const { return tmp_.filePath(name); }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // the dialog remembers its folder in QSettings
    QCoreApplication::setOrganizationName("FoveaTest");
    QVERIFY(tmp_.isValid());
  }

  void errorIsShown() {
    ft::LocalHttpServer server;  // 404 for everything
    DownloadDialog dialog;
    dialog.setDataset("cifar10");
    dialog.setDestination(dest("missing"));
    dialog.setMirror(QString::fromStdString(server.base_url()));
    QSignalSpy finished(&dialog, &DownloadDialog::downloadFinished);
    QVERIFY(dialog.startDownload());
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    QVERIFY2(dialog.statusText().contains("HTTP 404") && dialog.statusText().contains("cifar-10-python.tar.gz"),
             qPrintable(dialog.statusText()));
    QVERIFY(dialog.datasetPath().isEmpty());
    QVERIFY(!dialog.isRunning());
  }

  void cancelKeepsThePartialFile() {
    ft::LocalHttpServer server;
    const std::vector<uint8_t> bytes = ft::random_bytes(2000000, 3);
    server.put("/cifar-10-python.tar.gz", std::string(bytes.begin(), bytes.end()));
    server.chunk_delay_ms = 5;  // ~2.5 s in all
    DownloadDialog dialog;
    dialog.setDataset("cifar10");
    dialog.setDestination(dest("cancel"));
    dialog.setMirror(QString::fromStdString(server.base_url()));
    QSignalSpy finished(&dialog, &DownloadDialog::downloadFinished);
    QVERIFY(dialog.startDownload());
    QTRY_VERIFY_WITH_TIMEOUT(dialog.statusText().contains("Downloading cifar-10-python.tar.gz"), 10000);
    dialog.cancelDownload();
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    QVERIFY2(dialog.statusText().contains("Cancelled"), qPrintable(dialog.statusText()));
    const fs::path part = dest("cancel").toStdString() + "/cifar-10-python.tar.gz.part";
    QVERIFY(fs::exists(part));
    QVERIFY(fs::file_size(part) < bytes.size());
  }

  void folderAlreadyThereIsReturned() {
    fs::create_directories(dest("present").toStdString());
    fs::copy(std::string(FOVEA_TEST_FIXTURES) + "/datasets/cifar-10-batches-py",
             dest("present").toStdString() + "/cifar-10-batches-py");
    DownloadDialog dialog;
    dialog.setDataset("cifar10");
    dialog.setDestination(dest("present"));
    QSignalSpy finished(&dialog, &DownloadDialog::downloadFinished);
    QVERIFY(dialog.startDownload());
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.at(0).at(0).toBool(), true);
    QCOMPARE(dialog.datasetPath(), dest("present") + "/cifar-10-batches-py");
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
  }
};

QTEST_MAIN(UiDownloadTest)
#include "test_ui_download.moc"
