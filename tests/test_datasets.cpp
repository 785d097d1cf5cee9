// The data set formats beyond IDX and CIFAR-10 binary: CIFAR-100 binary, the CIFAR python versions,
// ImageFolder and ImageNet layouts. Files are generated in the exact byte layouts (or committed as
// fixtures made by tests/fixtures/make_dataset_fixtures.py); folders hold empty "images", because
// probing only scans names.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>
#include <QtTest>

#include "test_support.h"

#include <filesystem>
#include <set>

#include "engine/data/cifar_python.h"
#include "engine/data/cifar_reader.h"
#include "engine/data/dataset_info.h"
#include "engine/data/image_decode.h"
#include "engine/data/imagenet_labels.h"
#include "engine/errors.h"
#include "resources/embedded.h"
#include "test_files.h"

using fovea::testing::qerror_of;

using namespace fovea::engine;
namespace ft = fovea::testing;
namespace fs = std::filesystem;

namespace {


std::string in(const QTemporaryDir& dir, const std::string& name) { return dir.path().toStdString() + "/" + name; }
const std::string kFixtures = std::string(FOVEA_TEST_FIXTURES) + "/datasets/";

// HWC pixel (y, x, c) of image n, from rows of R, G, B planes.
uint8_t chw_at(const std::vector<uint8_t>& chw, size_t n, int y, int x, int c) { return chw[n * 3072 + c * 1024 + y * 32 + x]; }
uint8_t hwc_at(const LabelledImages& images, size_t n, int y, int x, int c) {
  return images.pixels[n * 3072 + static_cast<size_t>((y * 32 + x) * 3 + c)];
}

// The fixture images as make_dataset_fixtures.py describes them.
uint8_t fixture_byte(int g, int i, int salt) { return static_cast<uint8_t>((g * 31 + i * 7 + salt) % 256); }

std::vector<std::string> labels_and_names(const ImageFileList& list) {
  std::vector<std::string> out;
  for (size_t i = 0; i < list.size(); ++i) out.push_back(std::to_string(list.label(i)) + " " + list.path(i));
  return out;
}

}  // namespace

class DatasetsTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // --- CIFAR-100 binary -------------------------------------------------------------------------

  void cifar100BinaryFineAndCoarse() {
    QTemporaryDir dir;
    fs::create_directory(in(dir, "cifar-100-binary"));
    const std::vector<uint8_t> chw = ft::random_bytes(3 * 3072, 5);
    ft::write_cifar100_batch(in(dir, "cifar-100-binary/train.bin"), {4, 19, 0}, {99, 0, 42}, chw);
    ft::write_cifar100_batch(in(dir, "cifar-100-binary/test.bin"), {1, 2}, {3, 4}, ft::random_bytes(2 * 3072, 6));
    std::string fine, coarse;
    for (int i = 0; i < 100; ++i) fine += "fine" + std::to_string(i) + "\n";
    for (int i = 0; i < 20; ++i) coarse += "coarse" + std::to_string(i) + "\r\n";
    ft::write_text(in(dir, "cifar-100-binary/fine_label_names.txt"), fine);
    ft::write_text(in(dir, "cifar-100-binary/coarse_label_names.txt"), coarse);

    for (const std::string& path : {dir.path().toStdString(), in(dir, "cifar-100-binary/test.bin")}) {
      const DatasetInfo info = probe_dataset(path);
      QCOMPARE(info.format, DatasetFormat::Cifar100Binary);
      QCOMPARE(info.train_count, 3);
      QCOMPARE(info.test_count, 2);
      QCOMPARE(info.class_names.size(), size_t{100});
      QCOMPARE(info.class_names[42], std::string("fine42"));
      QCOMPARE(info.coarse_class_names.size(), size_t{20});
      QCOMPARE(info.coarse_class_names[19], std::string("coarse19"));
      QVERIFY(mirror_invariant(info.format));
    }
    const LabelledImages images = read_cifar100_batches({in(dir, "cifar-100-binary/train.bin")}, 0);
    QCOMPARE(images.count, 3);
    QVERIFY((images.labels == std::vector<int64_t>{99, 0, 42}));
    QVERIFY((images.coarse_labels == std::vector<int64_t>{4, 19, 0}));
    for (size_t n = 0; n < 3; ++n) {
      for (int c = 0; c < 3; ++c) {
        QCOMPARE(hwc_at(images, n, 0, 0, c), chw_at(chw, n, 0, 0, c));
        QCOMPARE(hwc_at(images, n, 31, 7, c), chw_at(chw, n, 31, 7, c));
      }
    }
    const LabelledImages first = read_cifar100_batches({in(dir, "cifar-100-binary/train.bin")}, 2);
    QCOMPARE(first.count, 2);
    QCOMPARE(first.coarse_labels.size(), size_t{2});
    QCOMPARE(first.pixels.size(), size_t{2 * 3072});
  }

  void cifar100BinaryShippedNames() {
    QTemporaryDir dir;
    ft::write_cifar100_batch(in(dir, "train.bin"), {0}, {1}, ft::random_bytes(3072, 1));
    ft::write_cifar100_batch(in(dir, "test.bin"), {0}, {1}, ft::random_bytes(3072, 2));
    const DatasetInfo info = probe_dataset(dir.path().toStdString());
    QCOMPARE(info.class_names.front(), std::string("apple"));
    QCOMPARE(info.class_names.back(), std::string("worm"));
    QCOMPARE(info.coarse_class_names.front(), std::string("aquatic_mammals"));
    QCOMPARE(info.coarse_class_names.back(), std::string("vehicles_2"));
  }

  void cifar100BinaryErrors_data() {
    QTest::addColumn<QByteArray>("coarse");
    QTest::addColumn<QByteArray>("fine");
    QTest::addColumn<int>("cut");
    QTest::addColumn<QStringList>("words");
    QTest::newRow("truncated") << QByteArray("\x01\x02", 2) << QByteArray("\x03\x04", 2) << 100
                               << QStringList{"train.bin", "3074-byte", "truncated"};
    QTest::newRow("fine label 100") << QByteArray("\x01", 1) << QByteArray("\x64", 1) << 0
                                    << QStringList{"train.bin", "record 0", "fine label 100", "0-99"};
    QTest::newRow("coarse label 20") << QByteArray("\x14", 1) << QByteArray("\x01", 1) << 0
                                     << QStringList{"train.bin", "coarse label 20", "0-19"};
  }
  void cifar100BinaryErrors() {
    QFETCH(QByteArray, coarse);
    QFETCH(QByteArray, fine);
    QFETCH(int, cut);
    QFETCH(QStringList, words);
    QTemporaryDir dir;
    const std::vector<uint8_t> c(coarse.begin(), coarse.end()), f(fine.begin(), fine.end());
    ft::write_cifar100_batch(in(dir, "train.bin"), c, f, ft::random_bytes(c.size() * 3072, 1));
    ft::write_cifar100_batch(in(dir, "test.bin"), {0}, {0}, ft::random_bytes(3072, 2));
    if (cut > 0) fs::resize_file(in(dir, "train.bin"), fs::file_size(in(dir, "train.bin")) - static_cast<uintmax_t>(cut));
    QString message = qerror_of([&] { probe_dataset(dir.path().toStdString()); });
    if (cut == 0) message = qerror_of([&] { read_cifar100_batches({in(dir, "train.bin")}, 0); });
    for (const QString& word : words) QVERIFY2(message.contains(word), qPrintable(message));
  }

  // --- CIFAR python versions ----------------------------------------------------------------------

  void cifarPythonFixtures_data() {
    QTest::addColumn<QString>("folder");
    QTest::addColumn<bool>("cifar100");
    QTest::newRow("cifar-10-batches-py") << "cifar-10-batches-py" << false;
    QTest::newRow("cifar-100-python") << "cifar-100-python" << true;
  }
  void cifarPythonFixtures() {
    QFETCH(QString, folder);
    QFETCH(bool, cifar100);
    const std::string dir = kFixtures + folder.toStdString();
    const DatasetInfo info = probe_dataset(dir + (cifar100 ? "/meta" : "/data_batch_3"));  // a file inside
    QCOMPARE(info.format, cifar100 ? DatasetFormat::Cifar100Python : DatasetFormat::Cifar10Python);
    QCOMPARE(info.train_count, cifar100 ? 3 : 7);
    QCOMPARE(info.test_count, 2);
    QCOMPARE(info.height, 32);
    QCOMPARE(info.channels, 3);
    QCOMPARE(info.class_names.size(), size_t{cifar100 ? 100u : 10u});
    QCOMPARE(info.class_names[1], std::string(cifar100 ? "aquarium_fish" : "automobile"));  // from the meta pickle
    QCOMPARE(info.coarse_class_names.size(), size_t{cifar100 ? 20u : 0u});
    if (cifar100) QCOMPARE(info.coarse_class_names[18], std::string("vehicles_1"));

    const CifarVersion version = cifar100 ? CifarVersion::Cifar100 : CifarVersion::Cifar10;
    for (const bool test : {false, true}) {
      const LabelledImages images = read_cifar_python_batches(test ? info.test_files : info.train_files, version, 0);
      QCOMPARE(images.count, test ? info.test_count : info.train_count);
      for (int g = 0; g < images.count; ++g) {
        QCOMPARE(images.labels[static_cast<size_t>(g)], cifar100 ? (37 * g + 5) % 100 : (3 * g + 1) % 10);
        if (cifar100) QCOMPARE(images.coarse_labels[static_cast<size_t>(g)], (3 * g + 2) % 20);
        for (int c = 0; c < 3; ++c) {
          for (int yx : {0, 33, 1023}) {
            QCOMPARE(images.pixels[static_cast<size_t>(g * 3072 + yx * 3 + c)], fixture_byte(g, c * 1024 + yx, test ? 100 : 0));
          }
        }
      }
    }
    QCOMPARE(read_cifar_python_batches(info.train_files, version, 2).count, 2);
  }

  void cifarPythonRealNumpyPickles_data() {
    QTest::addColumn<QString>("fixture");
    QTest::newRow("protocol 2") << "real_numpy_p2.pkl";  // numpy writes bytes through _codecs.encode
    QTest::newRow("protocol 4") << "real_numpy_p4.pkl";
  }
  void cifarPythonRealNumpyPickles() {
    // A batch-shaped dict pickled by real numpy on another machine (make_torch_fixtures.py).
    QFETCH(QString, fixture);
    const std::string source = std::string(FOVEA_TEST_FIXTURES) + "/checkpoints/" + fixture.toStdString();
    QFile json(QString::fromStdString(source + ".json"));
    QVERIFY(json.open(QIODevice::ReadOnly));
    QByteArray expected;
    for (const QJsonValue pair : QJsonDocument::fromJson(json.readAll())["value"]["dict"].toArray()) {
      if (pair[0]["bytes"].toString() == QStringLiteral("64617461"))  // b'data'
        expected = QByteArray::fromHex(pair[1]["ndarray"]["data"].toString().toLatin1());
    }
    QCOMPARE(expected.size(), 3 * 3072);
    QTemporaryDir dir;
    fs::copy_file(source, in(dir, "data_batch_1"));
    fs::copy_file(source, in(dir, "test_batch"));
    const DatasetInfo info = probe_dataset(dir.path().toStdString());
    QCOMPARE(info.format, DatasetFormat::Cifar10Python);
    QCOMPARE(info.class_names[9], std::string("truck"));  // no batches.meta: the shipped names
    const LabelledImages images = read_cifar_python_batches(info.train_files, CifarVersion::Cifar10, 0);
    QVERIFY((images.labels == std::vector<int64_t>{3, 8, 0}));
    const std::vector<uint8_t> chw(expected.begin(), expected.end());
    for (size_t n = 0; n < 3; ++n) {
      for (int c = 0; c < 3; ++c) QCOMPARE(hwc_at(images, n, 20, 11, c), chw_at(chw, n, 20, 11, c));
    }
  }

  void cifarPythonErrors_data() {
    QTest::addColumn<QString>("batch");  // what becomes data_batch_1
    QTest::addColumn<int>("keep");       // bytes kept (0: all)
    QTest::addColumn<QStringList>("words");
    const QString fixtures = QStringLiteral(FOVEA_TEST_FIXTURES);
    QTest::newRow("truncated") << fixtures + "/datasets/cifar-10-batches-py/data_batch_2" << 3000
                               << QStringList{"data_batch_1", "claims 6144 bytes but only 2781 remain"};
    QTest::newRow("a CIFAR-100 file") << fixtures + "/datasets/cifar-100-python/train" << 0
                                      << QStringList{"data_batch_1", "no 'labels' entry"};
    QTest::newRow("code") << fixtures + "/checkpoints/evil_posix_system_p2.pkl" << 0
                          << QStringList{"data_batch_1", "posix.system", "could run code"};
    QTest::newRow("another dict") << fixtures + "/checkpoints/values_p2.pkl" << 0
                                << QStringList{"data_batch_1", "no 'data' entry"};
  }
  void cifarPythonErrors() {
    QFETCH(QString, batch);
    QFETCH(int, keep);
    QFETCH(QStringList, words);
    QTemporaryDir dir;
    fs::copy_file(batch.toStdString(), in(dir, "data_batch_1"));
    if (keep > 0) fs::resize_file(in(dir, "data_batch_1"), static_cast<uintmax_t>(keep));
    fs::copy_file(kFixtures + "cifar-10-batches-py/test_batch", in(dir, "test_batch"));
    const QString message = qerror_of([&] { probe_dataset(dir.path().toStdString()); });
    for (const QString& word : words) QVERIFY2(message.contains(word), qPrintable(message));
  }

  // --- ImageFolder ---------------------------------------------------------------------------------

  void imageFolderSortsAsTorchvision() {
    QTemporaryDir dir;
    // Python: sorted(["B", "a", "Ä", "b"]) == ["B", "a", "b", "Ä"] (code points: 0x42, 0x61, 0x62, 0xC4).
    for (const char* file : {"b/2.jpg", "B/1.png", "Ä/x.bmp", "a/z.webp", "a/Y.JPG", "a/sub/k.jpeg", "a/sub b/j.ppm",
                             "a/sub/deeper/i.pgm", "b/10.tif", "b/9.TIFF"})
      ft::touch(in(dir, file));
    // Not part of the data set: hidden files and folders, other extensions.
    for (const char* file : {"a/.hidden.jpg", "a/.DS_Store", ".ipynb_checkpoints/c.jpg", "b/notes.txt", "b/.cache/d.jpg",
                             "B/archive.jpg.zip"})
      ft::touch(in(dir, file));
    const DatasetInfo info = probe_dataset(dir.path().toStdString());
    QCOMPARE(info.format, DatasetFormat::ImageFolder);
    QVERIFY((info.class_names == std::vector<std::string>{"B", "a", "b", "Ä"}));
    QCOMPARE(info.train_count, 10);
    QCOMPARE(info.test_count, 0);
    QVERIFY(!info.test_images);
    QCOMPARE(info.height, 0);  // not known before decoding
    QVERIFY2(QString::fromStdString(info.split_layout).contains("one folder"), info.split_layout.c_str());
    const std::string root = fs::absolute(dir.path().toStdString()).lexically_normal().string();
    QCOMPARE(info.root, root);
    // Within a class, sorted(os.walk(...)) orders folders by their whole path, then files by name:
    // "sub" < "sub b" < "sub/deeper" ('sub' is a prefix, then ' ' (0x20) < '/' (0x2f)).
    const std::vector<std::string> torchvision = {
        "0 " + root + "/B/1.png",       "1 " + root + "/a/Y.JPG",           "1 " + root + "/a/z.webp",
        "1 " + root + "/a/sub/k.jpeg",  "1 " + root + "/a/sub b/j.ppm",     "1 " + root + "/a/sub/deeper/i.pgm",
        "2 " + root + "/b/10.tif",      "2 " + root + "/b/2.jpg",           "2 " + root + "/b/9.TIFF",
        "3 " + root + "/Ä/x.bmp"};
    QCOMPARE(labels_and_names(*info.train_images), torchvision);
    bool noted = false;
    for (const std::string& note : info.notes) noted = noted || note.find("2 files skipped") != std::string::npos;
    QVERIFY(noted);
    const QString message = qerror_of([&] { check_trainable(info); });
    QVERIFY2(message.contains(QString::fromStdString(root)) && message.contains("needs a test split"), qPrintable(message));
  }

  void imageFolderSplits_data() {
    QTest::addColumn<QString>("testFolder");
    QTest::addColumn<QString>("given");  // relative to the data set folder
    QTest::newRow("val, the folder") << "val" << "";
    QTest::newRow("val, train/ given") << "val" << "train";
    QTest::newRow("val, an image given") << "val" << "train/dog/d1.png";
    QTest::newRow("test, test/ given") << "test" << "test/";
  }
  void imageFolderSplits() {
    QFETCH(QString, testFolder);
    QFETCH(QString, given);
    QTemporaryDir dir;
    const std::string t = testFolder.toStdString();
    for (const std::string& file : std::vector<std::string>{"train/cat/c1.jpg", "train/cat/c2.jpg", "train/dog/d1.png", "train/eel/e.jpg",
                                    t + "/dog/v1.jpg", t + "/cat/v2.jpg", t + "/cat/v3.jpg"})
      ft::touch(in(dir, file));
    const DatasetInfo info = probe_dataset(in(dir, given.toStdString()));
    QCOMPARE(info.format, DatasetFormat::ImageFolder);
    QCOMPARE(info.root, fs::absolute(dir.path().toStdString()).lexically_normal().string());
    QVERIFY((info.class_names == std::vector<std::string>{"cat", "dog", "eel"}));
    QCOMPARE(info.train_count, 4);
    QCOMPARE(info.test_count, 3);
    QVERIFY((info.test_images->class_counts(3) == std::vector<int64_t>{2, 1, 0}));
    QVERIFY2(QString::fromStdString(info.split_layout).contains(testFolder + "/"), info.split_layout.c_str());
    QCOMPARE(info.notes.size(), size_t{1});
    QCOMPARE(info.notes[0], std::string("1 class of 3 without test images"));
  }

  void imageFolderErrors_data() {
    QTest::addColumn<QStringList>("files");  // a name ending in '/' is an empty folder
    QTest::addColumn<QStringList>("words");
    QTest::newRow("empty class folder") << QStringList{"cat/a.jpg", "dog/"} << QStringList{"/dog", "without images", ".webp"};
    QTest::newRow("class folder of other files") << QStringList{"cat/a.jpg", "dog/a.gif"} << QStringList{"/dog", "without images"};
    QTest::newRow("images, no class folders") << QStringList{"a.jpg", "b.png"}
                                              << QStringList{"2 images but no class folders"};
    QTest::newRow("nothing") << QStringList{"readme.txt"} << QStringList{"no data set recognised", "one sub-folder"};
    QTest::newRow("val class not in train") << QStringList{"train/cat/a.jpg", "val/cow/b.jpg"}
                                            << QStringList{"val/cow", "class 'cow' has no folder in", "train"};
    QTest::newRow("flat val of a plain ImageFolder") << QStringList{"train/cat/a.jpg", "val/b.jpg"}
                                                     << QStringList{"/val", "1 image but no class folders"};
    QTest::newRow("empty val") << QStringList{"train/cat/a.jpg", "val/"} << QStringList{"/val", "no images and no class folders"};
  }
  void imageFolderErrors() {
    QFETCH(QStringList, files);
    QFETCH(QStringList, words);
    QTemporaryDir dir;
    for (const QString& file : files) {
      if (file.endsWith('/')) {
        fs::create_directories(in(dir, file.toStdString()));
      } else {
        ft::touch(in(dir, file.toStdString()));
      }
    }
    const QString message = qerror_of([&] { probe_dataset(dir.path().toStdString()); });
    QVERIFY2(message.contains(dir.path()), qPrintable(message));
    for (const QString& word : words) QVERIFY2(message.contains(word), qPrintable(message));
  }

  void decodeSmallImageFolders() {
    QTemporaryDir dir;
    const std::vector<uint8_t> red_green = {255, 0, 0, 0, 255, 0, 1, 2, 3, 4, 5, 6};  // 2x2 RGB
    ft::write_netpbm(in(dir, "train/a/x.ppm"), 2, 2, red_green, true);
    ft::write_netpbm(in(dir, "train/b/y.pgm"), 2, 2, {10, 20, 30, 40}, false);  // grey: expanded to RGB
    ft::write_netpbm(in(dir, "train/b/z.PPM"), 2, 2, std::vector<uint8_t>(12, 7), true);
    ft::write_netpbm(in(dir, "val/a/v.ppm"), 2, 2, red_green, true);
    const DatasetInfo info = probe_dataset(dir.path().toStdString());
    QCOMPARE(info.height, 0);  // not known when probing
    const LabelledImages train = decode_image_files(*info.train_images, 0);
    QCOMPARE(train.count, 3);
    QCOMPARE(train.height, 2);
    QCOMPARE(train.channels, 3);
    QVERIFY((std::vector<uint8_t>(train.pixels.begin(), train.pixels.begin() + 12) == red_green));  // RGB, not BGR
    QVERIFY((std::vector<uint8_t>(train.pixels.begin() + 12, train.pixels.begin() + 18) ==
             std::vector<uint8_t>{10, 10, 10, 20, 20, 20}));
    QVERIFY((train.labels == std::vector<int64_t>{0, 1, 1}));
    // A limit spreads over the classes instead of taking the first images (all of class 0).
    QVERIFY((decode_image_files(*info.train_images, 2).labels == std::vector<int64_t>{0, 1}));

    QString message = qerror_of([&] { decode_image_files(*info.train_images, 0, 20); });
    QVERIFY2(message.contains("train/a") && message.contains("in memory"), qPrintable(message));
    ft::write_netpbm(in(dir, "train/b/z.PPM"), 3, 2, std::vector<uint8_t>(18, 7), true);
    message = qerror_of([&] { decode_image_files(*probe_dataset(dir.path().toStdString()).train_images, 0); });
    QVERIFY2(message.contains("z.PPM: 3x2 pixels") && message.contains("x.ppm has 2x2"), qPrintable(message));
    ft::write_text(in(dir, "train/b/z.PPM"), "P6\n2 2\n255\nshort");
    message = qerror_of([&] { decode_image_files(*probe_dataset(dir.path().toStdString()).train_images, 0); });
    QVERIFY2(message.contains("z.PPM: cannot be decoded"), qPrintable(message));
  }

  // --- ImageNet --------------------------------------------------------------------------------------

  void ilsvrc2012IdTable() {
    // The devkit's ILSVRC2012_IDs are not the sorted order: check the shipped table is a permutation.
    const std::vector<std::string> ids = fovea::resources::class_names("imagenet-1k-ilsvrc2012-ids");
    QCOMPARE(ids.size(), size_t{1000});
    QCOMPARE(std::set<std::string>(ids.begin(), ids.end()),
             std::set<std::string>(imagenet_synsets().begin(), imagenet_synsets().end()));
    QCOMPARE(ids[0], std::string("n02119789"));    // ID 1: kit fox
    QCOMPARE(ids[489], std::string("n01751748"));  // ID 490: sea snake, ILSVRC2012_val_00000001's label
    QCOMPARE(*imagenet_class("n01751748"), 65);    // torchvision's class of that image
    QVERIFY(!imagenet_class("n99999999"));
    QVERIFY(is_wordnet_id("n01440764") && !is_wordnet_id("n0144076") && !is_wordnet_id("x01440764"));
  }

  void imagenetPerSynsetVal() {
    QTemporaryDir dir;
    for (const char* file : {"train/n01443537/n01443537_1.JPEG", "train/n01440764/n01440764_10026.JPEG",
                             "train/n01440764/n01440764_2.JPEG", "val/n01440764/ILSVRC2012_val_00000293.JPEG",
                             "val/n01443537/ILSVRC2012_val_00000236.JPEG"})
      ft::touch(in(dir, file));
    const DatasetInfo info = probe_dataset(dir.path().toStdString());
    QCOMPARE(info.format, DatasetFormat::ImageNet);
    QCOMPARE(info.class_names.size(), size_t{1000});  // all 1000, in the standard order
    QCOMPARE(info.class_names[1], std::string("goldfish, Carassius auratus"));
    QCOMPARE(info.train_count, 3);
    QCOMPARE(info.test_count, 2);
    QCOMPARE(info.train_images->label(0), 0);
    QCOMPARE(std::string(info.train_images->name(0)), std::string("n01440764_10026.JPEG"));
    QCOMPARE(info.train_images->label(2), 1);
    QCOMPARE(info.test_images->label(1), 1);
    QCOMPARE(info.notes[0], std::string("998 classes of 1000 without training images"));
  }

  void wordnetIdsOutsideImagenetArePlainFolders() {
    QTemporaryDir dir;
    ft::touch(in(dir, "n01440764/a.jpg"));
    ft::touch(in(dir, "n99999999/b.jpg"));
    const DatasetInfo info = probe_dataset(dir.path().toStdString());
    QCOMPARE(info.format, DatasetFormat::ImageFolder);
    QCOMPARE(info.class_names.size(), size_t{2});
  }

  void imagenetFlatVal_data() {
    QTest::addColumn<QString>("labelsFile");  // relative to the folder that holds train/ and val/
    QTest::addColumn<QString>("content");
    QTest::addColumn<QString>("source");
    // Kaggle: LOC_val_solution.csv sits three folders above ILSVRC/Data/CLS-LOC/{train,val}.
    QTest::newRow("LOC_val_solution.csv") << "../../../LOC_val_solution.csv"
                                          << "ImageId,PredictionString\r\n"
                                             "ILSVRC2012_val_00000003,n01440764 1 2 3 4 n01440764 5 6 7 8\r\n"
                                             "ILSVRC2012_val_00000001,n01751748 10 20 30 40\r\n"
                                             "ILSVRC2012_val_00000002,n02119789 1 1 9 9\r\n"
                                          << "LOC_val_solution.csv";
    QTest::newRow("devkit ground truth") << "ILSVRC2012_devkit_t12/data/ILSVRC2012_validation_ground_truth.txt"
                                         << "490\n1\n449\n" << "ILSVRC2012_validation_ground_truth.txt";
    QTest::newRow("ground truth in val/") << "val/ILSVRC2012_validation_ground_truth.txt" << "490\n1\n449\n"
                                          << "ILSVRC2012_validation_ground_truth.txt";
  }
  void imagenetFlatVal() {
    QFETCH(QString, labelsFile);
    QFETCH(QString, content);
    QFETCH(QString, source);
    QTemporaryDir dir;
    const std::string root = in(dir, "ILSVRC/Data/CLS-LOC/");
    ft::touch(root + "train/n01440764/n01440764_1.JPEG");
    ft::touch(root + "train/n01751748/n01751748_1.JPEG");
    for (int i = 1; i <= 3; ++i) ft::touch(root + "val/ILSVRC2012_val_0000000" + std::to_string(i) + ".JPEG");
    ft::touch(root + labelsFile.toStdString());
    ft::write_text(root + labelsFile.toStdString(), content.toStdString());
    const DatasetInfo info = probe_dataset(root + "val");
    QCOMPARE(info.format, DatasetFormat::ImageNet);
    QCOMPARE(info.test_count, 3);
    // Ordered by class, then name: tench (0), sea snake (65), kit fox (278).
    const ImageFileList& val = *info.test_images;
    QCOMPARE(val.label(0), 0);
    QCOMPARE(std::string(val.name(0)), std::string("ILSVRC2012_val_00000003.JPEG"));
    QCOMPARE(val.label(1), 65);
    QCOMPARE(std::string(val.name(1)), std::string("ILSVRC2012_val_00000001.JPEG"));
    QCOMPARE(val.label(2), *imagenet_class("n02119789"));
    QVERIFY2(QString::fromStdString(info.split_layout).contains("val/ (all images in it)"), info.split_layout.c_str());
    QVERIFY2(QString::fromStdString(info.notes.at(0)).contains(source), info.notes[0].c_str());
  }

  void imagenetFlatValErrors_data() {
    QTest::addColumn<QString>("labelsFile");
    QTest::addColumn<QString>("content");
    QTest::addColumn<QStringList>("words");
    QTest::newRow("no labels") << "" << "" << QStringList{"/val", "3 images", "LOC_val_solution.csv",
                                                          "ILSVRC2012_validation_ground_truth.txt", "per synset"};
    QTest::newRow("image missing from csv") << "LOC_val_solution.csv"
                                            << "ImageId,PredictionString\nILSVRC2012_val_00000001,n01440764 1 2 3 4\n"
                                            << QStringList{"ILSVRC2012_val_00000002.JPEG", "no label", "LOC_val_solution.csv"};
    QTest::newRow("csv synset not in ImageNet") << "LOC_val_solution.csv"
                                                << "ImageId,PredictionString\nILSVRC2012_val_00000001,n99999999 1 2 3 4\n"
                                                << QStringList{"LOC_val_solution.csv:2", "1000 ImageNet synsets"};
    QTest::newRow("csv without header") << "LOC_val_solution.csv" << "ILSVRC2012_val_00000001,n01440764 1 2 3 4\n"
                                        << QStringList{"LOC_val_solution.csv:1", "header"};
    QTest::newRow("ground truth id 1001") << "ILSVRC2012_validation_ground_truth.txt" << "490\n1001\n449\n"
                                          << QStringList{"ILSVRC2012_validation_ground_truth.txt:2", "1 to 1000", "1001"};
    QTest::newRow("ground truth too short") << "ILSVRC2012_validation_ground_truth.txt" << "490\n"
                                            << QStringList{"ILSVRC2012_val_00000002.JPEG", "no label"};
  }
  void imagenetFlatValErrors() {
    QFETCH(QString, labelsFile);
    QFETCH(QString, content);
    QFETCH(QStringList, words);
    QTemporaryDir dir;
    ft::touch(in(dir, "train/n01440764/a.JPEG"));
    for (int i = 1; i <= 3; ++i) ft::touch(in(dir, "val/ILSVRC2012_val_0000000" + std::to_string(i) + ".JPEG"));
    if (!labelsFile.isEmpty()) ft::write_text(in(dir, labelsFile.toStdString()), content.toStdString());
    const QString message = qerror_of([&] { probe_dataset(dir.path().toStdString()); });
    for (const QString& word : words) QVERIFY2(message.contains(word), qPrintable(message));
  }
};

QTEST_GUILESS_MAIN(DatasetsTest)
#include "test_datasets.moc"
