// Data set downloads against a local HTTP server (tests/local_http_server.h) serving archives made
// here: no network. Download, resume (Range), a server that ignores Range, checksum failures, HTTP
// errors, hostile archives and cancelling a running download job.
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>
#include <unistd.h>

#include "collecting_observer.h"
#include "engine/data/dataset_download.h"
#include "engine/data/dataset_download_job.h"
#include "engine/data/dataset_info.h"
#include "engine/data/tar_reader.h"
#include "engine/errors.h"
#include "engine/net/file_digest.h"
#include "local_http_server.h"
#include "test_files.h"
#include "test_support.h"

using namespace fovea::engine;
namespace ft = fovea::testing;
namespace fs = std::filesystem;

namespace {

const std::string kFixtures = std::string(FOVEA_TEST_FIXTURES) + "/datasets/";

// Only a DatasetError counts as a clean refusal (test_support.h's error_of_type).
template <typename F>
QString dataset_error_of(F&& f) {
  return QString::fromStdString(ft::error_of_type<DatasetError>(std::forward<F>(f)));
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct TarEntry {
  std::string name;
  std::string content;
  char type = '0';  // '5' folder, '2' symbolic link
};

// ustar, byte for byte as tar(1) writes it.
std::string make_tar(const std::vector<TarEntry>& entries) {
  std::string out;
  for (const TarEntry& e : entries) {
    char h[512] = {};
    std::strncpy(h, e.name.c_str(), 100);
    std::snprintf(h + 100, 8, "%07o", e.type == '5' ? 0755 : 0644);
    std::snprintf(h + 108, 8, "%07o", 0);
    std::snprintf(h + 116, 8, "%07o", 0);
    std::snprintf(h + 124, 12, "%011llo", static_cast<unsigned long long>(e.content.size()));
    std::snprintf(h + 136, 12, "%011o", 0);
    h[156] = e.type;
    if (e.type == '2') std::strncpy(h + 157, "/etc", 100);
    std::memcpy(h + 257, "ustar", 6);
    std::memcpy(h + 263, "00", 2);
    std::memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    std::snprintf(h + 148, 8, "%06o", sum);
    out.append(h, 512);
    out += e.content;
    out.append((512 - e.content.size() % 512) % 512, '\0');
  }
  out.append(1024, '\0');
  return out;
}

std::string gzip(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);  // 15 + 16: a gzip wrapper
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) qFatal("gzip failed");
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string md5_of(const std::string& content, const fs::path& scratch) {
  ft::write_text(scratch.string(), content);
  const std::string digest = file_digest(scratch.string(), DigestKind::Md5);
  fs::remove(scratch);
  return digest;
}

// The CIFAR-10 python fixture as the real archive lays it out, plus ~300 KB of incompressible
// padding so that transfers take many chunks.
std::string cifar10_archive() {
  std::vector<TarEntry> entries = {{"cifar-10-batches-py/", "", '5'}};
  for (const char* f : {"batches.meta", "data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5",
                        "test_batch"})
    entries.push_back({std::string("cifar-10-batches-py/") + f, read_file(kFixtures + "cifar-10-batches-py/" + f)});
  const std::vector<uint8_t> noise = ft::random_bytes(300000, 7);
  entries.push_back({"cifar-10-batches-py/readme.html", std::string(noise.begin(), noise.end())});
  return gzip(make_tar(entries));
}

DatasetSource cifar_source(const std::string& md5) {
  return {"test-cifar10", "CIFAR-10 (test)", "http://invalid.example/", {{"cifar-10-python.tar.gz", DigestKind::Md5, md5}},
          true, "cifar-10-batches-py"};
}

std::vector<std::string> leftovers(const fs::path& dest) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dest)) {
    const std::string name = e.path().filename().string();
    if (name.find(".fovea-unpack-") == 0 || (name.size() > 5 && name.substr(name.size() - 5) == ".part")) names.push_back(name);
  }
  return names;
}

struct CliRun {
  int code = -1;
  QByteArray out, err;
};

CliRun run_cli(const QStringList& arguments) {
  QProcess process;
  process.start(FOVEA_CLI, arguments);
  if (!process.waitForFinished(60000)) process.kill();
  return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, process.readAllStandardOutput(),
          process.readAllStandardError()};
}

}  // namespace

class DownloadTest : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  std::string archive_;
  std::string archive_md5_;

  fs::path dest(const char* name) { return fs::path(tmp_.path().toStdString()) / name; }

  DownloadRequest request(const ft::LocalHttpServer& server, const fs::path& to, int retries = 0) {
    DownloadRequest r;
    r.name = "test-cifar10";
    r.source = cifar_source(archive_md5_);
    r.destination = to.string();
    r.mirror = server.base_url();
    r.retries = retries;
    r.retry_delay_seconds = 0;
    return r;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    archive_ = cifar10_archive();
    archive_md5_ = md5_of(archive_, dest("scratch"));
    QVERIFY(archive_.size() > 250000);
  }

  // --- the pieces ---------------------------------------------------------------------------------

  void digestsMatchKnownValues() {
    const fs::path file = dest("abc");
    ft::write_text(file.string(), "abc");
    QCOMPARE(file_digest(file.string(), DigestKind::Md5), std::string("900150983cd24fb0d6963f7d28e17f72"));
    QCOMPARE(file_digest(file.string(), DigestKind::Sha256),
             std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QVERIFY(ft::qerror_of([&] { file_digest(dest("missing").string(), DigestKind::Md5); }).contains("missing"));
  }

  void catalogueHasOfficialAddresses() {
    qunsetenv("FOVEA_DATASET_MIRROR");
    const DatasetSource& cifar = find_dataset_source("cifar10");
    QCOMPARE(download_url(cifar, cifar.files[0], ""), std::string("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"));
    QCOMPARE(cifar.files[0].digest, std::string("c58f30108f718f92721af3b95e74349a"));
    const DatasetSource& fashion = find_dataset_source("fashion-mnist");
    QCOMPARE(fashion.files.size(), size_t{4});
    QCOMPARE(download_url(fashion, fashion.files[3], ""),
             std::string("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/t10k-labels-idx1-ubyte.gz"));
    for (const char* name : {"cifar10-binary", "cifar100", "cifar100-binary"}) QVERIFY(find_dataset_source(name).extract);
    QCOMPARE(download_url(cifar, cifar.files[0], "http://mirror/x"), std::string("http://mirror/x/cifar-10-python.tar.gz"));
    qputenv("FOVEA_DATASET_MIRROR", "http://127.0.0.1:9/");
    QCOMPARE(download_url(cifar, cifar.files[0], ""), std::string("http://127.0.0.1:9/cifar-10-python.tar.gz"));
    qunsetenv("FOVEA_DATASET_MIRROR");
    const QString error = ft::qerror_of([] { find_dataset_source("cifar11"); });
    QVERIFY2(error.contains("cifar11") && error.contains("fashion-mnist"), qPrintable(error));
  }

  void safeEntryPaths_data() {
    QTest::addColumn<QString>("entry");
    QTest::addColumn<QString>("expected");  // "" : refused
    QTest::newRow("plain") << "a/b" << "a/b";
    QTest::newRow("dot and doubled slashes") << "./a//b/" << "a/b";
    QTest::newRow("parent") << "../evil" << "";
    QTest::newRow("parent inside") << "a/../../evil" << "";
    QTest::newRow("parent at end") << "a/.." << "";
    QTest::newRow("absolute") << "/etc/passwd" << "";
  }
  void safeEntryPaths() {
    QFETCH(QString, entry);
    QFETCH(QString, expected);
    std::string got;
    const QString error = ft::qerror_of([&] { got = safe_entry_path("x.tar", entry.toStdString()); });
    if (expected.isEmpty()) {
      QVERIFY2(error.contains("refusing"), qPrintable(error));
    } else {
      QVERIFY2(error.isEmpty(), qPrintable(error));
      QCOMPARE(QString::fromStdString(got), expected);
    }
  }

  // --- downloads ----------------------------------------------------------------------------------

  void downloadVerifiesAndUnpacks() {
    ft::LocalHttpServer server;
    server.put("/cifar-10-python.tar.gz", archive_);
    const fs::path to = dest("full");
    std::vector<DownloadStatus> seen;
    const DownloadResult result = download_dataset(request(server, to), [&](const DownloadStatus& s) { seen.push_back(s); });
    QCOMPARE(result.path, (to / "cifar-10-batches-py").string());
    QCOMPARE(result.files, std::vector<std::string>{(to / "cifar-10-python.tar.gz").string()});
    QCOMPARE(result.bytes, static_cast<int64_t>(archive_.size()));
    QCOMPARE(result.transferred, static_cast<int64_t>(archive_.size()));
    QVERIFY(!result.already_present);
    QCOMPARE(read_file(to / "cifar-10-python.tar.gz"), archive_);
    QCOMPARE(read_file(to / "cifar-10-batches-py/test_batch"), read_file(kFixtures + "cifar-10-batches-py/test_batch"));
    QVERIFY(leftovers(to).empty());

    const DatasetInfo info = probe_dataset(result.path);
    const DatasetInfo fixture = probe_dataset(kFixtures + "cifar-10-batches-py");
    QCOMPARE(info.format, DatasetFormat::Cifar10Python);
    QCOMPARE(info.train_count, fixture.train_count);
    QCOMPARE(info.test_count, fixture.test_count);

    bool download_done = false;
    for (const DownloadStatus& s : seen) download_done |= s.stage == "download" && s.done == s.total && s.total == int64_t(archive_.size());
    QVERIFY(download_done);
    QCOMPARE(server.requests().size(), size_t{1});
    QCOMPARE(server.requests()[0].range, std::string());

    // Again: the folder is there, nothing is fetched.
    const DownloadResult again = download_dataset(request(server, to));
    QVERIFY(again.already_present);
    QCOMPARE(server.requests().size(), size_t{1});
  }

  void fashionFilesStayCompressed() {
    const fs::path made = dest("fashion-made");
    fs::create_directories(made);
    ft::write_idx_dataset(made.string(), 12, 6, 28, true);
    DatasetSource source = find_dataset_source("fashion-mnist");
    ft::LocalHttpServer server;
    for (RemoteFile& file : source.files) {
      server.put("/" + file.name, read_file(made / file.name));
      file.digest = file_digest((made / file.name).string(), DigestKind::Md5);
    }
    DownloadRequest r;
    r.name = source.name;
    r.source = source;
    r.destination = dest("fashion").string();
    r.mirror = server.base_url();
    const DownloadResult result = download_dataset(r);
    QCOMPARE(result.path, (dest("fashion") / "fashion-mnist").string());
    QCOMPARE(result.files.size(), size_t{4});
    const DatasetInfo info = probe_dataset(result.path);
    QCOMPARE(info.format, DatasetFormat::Idx);
    QCOMPARE(info.train_count, 12);
    QCOMPARE(info.test_count, 6);
    QCOMPARE(info.class_names.front(), std::string("T-shirt/top"));  // the folder's name says Fashion-MNIST
    QCOMPARE(read_file(dest("fashion") / "fashion-mnist" / "t10k-images-idx3-ubyte.gz"), read_file(made / "t10k-images-idx3-ubyte.gz"));

    const DownloadResult again = download_dataset(r);  // verified files are kept, not fetched
    QVERIFY(again.already_present);
    QCOMPARE(server.requests().size(), size_t{4});
  }

  void interruptedDownloadResumesWithRange() {
    ft::LocalHttpServer server;
    server.put("/cifar-10-python.tar.gz", archive_);
    server.drop_after = 100000;
    const fs::path to = dest("resume");
    const QString error = ft::qerror_of([&] { download_dataset(request(server, to)); });
    QVERIFY2(error.contains(QString::fromStdString(server.base_url() + "cifar-10-python.tar.gz")), qPrintable(error));
    QCOMPARE(fs::file_size(to / "cifar-10-python.tar.gz.part"), uintmax_t{100000});
    QVERIFY(!fs::exists(to / "cifar-10-python.tar.gz"));

    const DownloadResult result = download_dataset(request(server, to));
    const auto requests = server.requests();
    QCOMPARE(requests.size(), size_t{2});
    QCOMPARE(requests[1].range, std::string("bytes=100000-"));
    QCOMPARE(result.transferred, static_cast<int64_t>(archive_.size()) - 100000);
    QCOMPARE(read_file(to / "cifar-10-python.tar.gz"), archive_);
    QCOMPARE(probe_dataset(result.path).format, DatasetFormat::Cifar10Python);
  }

  void droppedConnectionIsRetriedInOneCall() {
    ft::LocalHttpServer server;
    server.put("/cifar-10-python.tar.gz", archive_);
    server.drop_after = 50000;
    const fs::path to = dest("retry");
    std::vector<std::string> lines;
    download_dataset(request(server, to, 2), nullptr, [&](const std::string& line) { lines.push_back(line); });
    const auto requests = server.requests();
    QCOMPARE(requests.size(), size_t{2});
    QCOMPARE(requests[1].range, std::string("bytes=50000-"));
    QCOMPARE(read_file(to / "cifar-10-python.tar.gz"), archive_);
    bool told = false;
    for (const auto& line : lines) told |= line.find("trying again, resuming at byte 50000") != std::string::npos;
    QVERIFY(told);
  }

  void completePartialFileIsVerified() {
    ft::LocalHttpServer server;
    server.put("/cifar-10-python.tar.gz", archive_);
    const fs::path to = dest("complete-part");
    fs::create_directories(to);
    ft::write_text((to / "cifar-10-python.tar.gz.part").string(), archive_);  // stopped before its check
    const DownloadResult result = download_dataset(request(server, to));
    QCOMPARE(server.requests().size(), size_t{1});
    QCOMPARE(server.requests()[0].range, "bytes=" + std::to_string(archive_.size()) + "-");  // answered 416
    QCOMPARE(result.transferred, int64_t{0});
    QCOMPARE(read_file(to / "cifar-10-python.tar.gz"), archive_);
  }

  void serverIgnoringRangeStartsOver() {
    ft::LocalHttpServer server;
    server.put("/cifar-10-python.tar.gz", archive_);
    server.drop_after = 70000;
    const fs::path to = dest("norange");
    QVERIFY(!ft::error_of([&] { download_dataset(request(server, to)); }).empty());
    server.ignore_range = true;
    const DownloadResult result = download_dataset(request(server, to));
    QCOMPARE(server.requests().back().range, std::string("bytes=70000-"));  // asked, got 200
    QCOMPARE(result.transferred, static_cast<int64_t>(archive_.size()));
    QCOMPARE(read_file(to / "cifar-10-python.tar.gz"), archive_);
  }

  void checksumMismatchRemovesTheFile() {
    ft::LocalHttpServer server;
    server.put("/cifar-10-python.tar.gz", archive_);
    const fs::path to = dest("badsum");
    DownloadRequest r = request(server, to);
    r.source->files[0].digest = "0123456789abcdef0123456789abcdef";
    const QString error = dataset_error_of([&] { download_dataset(r); });
    QVERIFY2(error.contains("MD5 mismatch") && error.contains("expected 0123456789abcdef0123456789abcdef") &&
                 error.contains(QString::fromStdString("got " + archive_md5_)),
             qPrintable(error));
    QVERIFY(!fs::exists(to / "cifar-10-python.tar.gz"));
    QVERIFY(!fs::exists(to / "cifar-10-python.tar.gz.part"));
    QVERIFY(!fs::exists(to / "cifar-10-batches-py"));
  }

  void httpErrorNamesTheUrl() {
    ft::LocalHttpServer server;  // serves nothing: 404
    const fs::path to = dest("missing");
    const QString error = ft::qerror_of([&] { download_dataset(request(server, to, 3)); });
    QVERIFY2(error.contains("404") && error.contains(QString::fromStdString(server.base_url() + "cifar-10-python.tar.gz")),
             qPrintable(error));
    QCOMPARE(server.requests().size(), size_t{1});  // a 404 is not retried
    QVERIFY(!fs::exists(to / "cifar-10-python.tar.gz.part"));
  }

  void unreachableServerNamesTheUrl() {
    int port = 0;
    {  // a port that nobody listens on any more
      ft::LocalHttpServer server;
      port = QUrl(QString::fromStdString(server.base_url())).port();
    }
    DownloadRequest r;
    r.name = "cifar10";
    r.destination = dest("unreachable").string();
    r.mirror = "http://127.0.0.1:" + std::to_string(port) + "/";
    r.retries = 0;
    const QString error = ft::qerror_of([&] { download_dataset(r); });
    QVERIFY2(error.contains(QString::fromStdString(r.mirror + "cifar-10-python.tar.gz")), qPrintable(error));
  }

  void unwritableDestinationIsNamed() {
    const fs::path file = dest("a-file");
    ft::write_text(file.string(), "x");
    DownloadRequest r;
    r.name = "cifar10";
    r.destination = (file / "sub").string();
    const QString error = ft::qerror_of([&] { download_dataset(r); });
    QVERIFY2(error.contains(QString::fromStdString(r.destination)), qPrintable(error));
  }

  void incompleteFolderIsNotReplaced() {
    const fs::path to = dest("incomplete");
    fs::create_directories(to / "cifar-10-batches-py");
    ft::write_text((to / "cifar-10-batches-py" / "data_batch_1").string(), "mine");
    ft::LocalHttpServer server;
    const QString error = ft::qerror_of([&] { download_dataset(request(server, to)); });
    QVERIFY2(error.contains("exists but is not a complete"), qPrintable(error));
    QCOMPARE(read_file(to / "cifar-10-batches-py" / "data_batch_1"), std::string("mine"));
    QVERIFY(server.requests().empty());
  }

  void hostileArchiveIsRefused_data() {
    QTest::addColumn<QString>("entry");
    QTest::addColumn<char>("type");
    QTest::newRow("parent") << "../evil" << '0';
    QTest::newRow("parent inside") << "cifar-10-batches-py/../../evil" << '0';
    QTest::newRow("absolute") << QString("/tmp/fovea-test-download-abs-%1").arg(::getpid()) << '0';
    QTest::newRow("symbolic link") << "cifar-10-batches-py/link" << '2';
  }
  void hostileArchiveIsRefused() {
    QFETCH(QString, entry);
    QFETCH(char, type);
    const std::string archive = gzip(make_tar({{"cifar-10-batches-py/", "", '5'},
                                               {"cifar-10-batches-py/test_batch", "first a good file"},
                                               {entry.toStdString(), "evil", type}}));
    ft::LocalHttpServer server;
    server.put("/cifar-10-python.tar.gz", archive);
    const fs::path root = dest("hostile") / QTest::currentDataTag();
    const fs::path to = root / "inner";
    DownloadRequest r = request(server, to);
    r.source->files[0].digest = md5_of(archive, dest("scratch"));
    const QString error = dataset_error_of([&] { download_dataset(r); });
    QVERIFY2(error.contains("refusing") && error.contains(entry), qPrintable(error));
    QVERIFY(!fs::exists(root / "evil"));
    QVERIFY(!fs::exists(to / "evil"));
    QVERIFY(!fs::exists(entry.toStdString()) || !entry.startsWith('/'));
    QVERIFY(!fs::exists(to / "cifar-10-batches-py"));
    QVERIFY(leftovers(to).empty());
    QVERIFY(fs::exists(to / "cifar-10-python.tar.gz"));  // the verified archive itself is kept
  }

  void truncatedArchiveIsRefused() {
    const fs::path file = dest("truncated.tar.gz");
    ft::write_text(file.string(), archive_.substr(0, 30000));
    const fs::path into = dest("truncated-out");
    fs::create_directories(into);
    const QString error = dataset_error_of([&] { extract_tar(file.string(), into.string()); });
    QVERIFY2(error.contains(QString::fromStdString(file.string())), qPrintable(error));
  }

  // --- fovea-cli download ---------------------------------------------------------------------------

  void cliReportsErrorsAndJson() {
    ft::LocalHttpServer server;  // serves nothing: 404
    const QString to = QString::fromStdString(dest("cli").string());
    const CliRun failed = run_cli({"download", "cifar10", "--dest", to, "--mirror", QString::fromStdString(server.base_url())});
    QCOMPARE(failed.code, 1);
    QVERIFY(failed.out.isEmpty());
    QVERIFY2(failed.err.contains("fovea-cli: error: cannot download " + QByteArray::fromStdString(server.base_url()) +
                                 "cifar-10-python.tar.gz: the server answered HTTP 404"),
             failed.err.constData());

    // A folder already there is reported as it is, as one JSON object.
    fs::copy(kFixtures + "cifar-10-batches-py", dest("cli") / "cifar-10-batches-py");
    const CliRun present = run_cli({"download", "cifar10", "--dest", to, "--json"});
    QCOMPARE(present.code, 0);
    const QJsonObject json = QJsonDocument::fromJson(present.out).object();
    QCOMPARE(json.value("name").toString(), QString("cifar10"));
    QCOMPARE(json.value("path").toString(), to + "/cifar-10-batches-py");
    QVERIFY(json.value("already_present").toBool());

    const CliRun unknown = run_cli({"download", "cifar11"});
    QCOMPARE(unknown.code, 1);
    QVERIFY(unknown.err.contains("unknown data set 'cifar11'"));
  }

  // --- as a job -----------------------------------------------------------------------------------

  void cancelKeepsThePartialFile() {
    ft::LocalHttpServer server;
    server.put("/cifar-10-python.tar.gz", archive_);
    server.chunk_delay_ms = 10;  // ~1 s for the whole archive
    const fs::path to = dest("cancel");
    ft::CollectingObserver observer;
    auto result = std::make_shared<DownloadResult>();
    auto job = make_download_job(request(server, to), observer, result);
    job->start();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    bool started = false;
    while (!started && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      std::lock_guard lock(observer.mutex);
      for (const Progress& p : observer.progress) started |= p.phase == "download" && p.step > 0;
    }
    QVERIFY(started);
    job->cancel();
    job->wait();
    QCOMPARE(job->state(), JobState::Cancelled);
    const fs::path part = to / "cifar-10-python.tar.gz.part";
    QVERIFY(fs::exists(part));
    const auto kept = fs::file_size(part);
    QVERIFY2(kept > 0 && kept < archive_.size(), qPrintable(QString::number(kept)));
    QVERIFY(!fs::exists(to / "cifar-10-python.tar.gz"));
    {
      std::lock_guard lock(observer.mutex);
      const Progress& p = observer.progress.back();
      QCOMPARE(p.total_steps, static_cast<int64_t>(archive_.size()));
      QCOMPARE(p.steps_per_epoch, 1);
    }

    // The next job resumes where the cancelled one stopped.
    server.chunk_delay_ms = 0;
    ft::CollectingObserver second;
    auto job2 = make_download_job(request(server, to), second, result);
    job2->start();
    job2->wait();
    QCOMPARE(job2->state(), JobState::Finished);
    QCOMPARE(server.requests().back().range, "bytes=" + std::to_string(kept) + "-");
    QCOMPARE(result->path, (to / "cifar-10-batches-py").string());
    QCOMPARE(read_file(to / "cifar-10-python.tar.gz"), archive_);
    QVERIFY(second.logged("is ready in"));
  }
};

QTEST_GUILESS_MAIN(DownloadTest)
#include "test_download.moc"
