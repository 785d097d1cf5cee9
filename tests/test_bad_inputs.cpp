// The bad-input corpus (issue 11): malformed and hostile inputs at every entry point of fovea-cli
// (checkpoints, data sets, images, arguments, output places, a file-size limit). Each must end with a
// clear one-line error that names the file or value, a non-zero exit code and no crash, hang or file
// under a final name. The table in docs/RELIABILITY.md lists the same cases; this test prints each
// case's message so that the table can be checked against it.
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "test_files.h"

namespace fs = std::filesystem;
using fovea::testing::write_bytes;
using fovea::testing::write_text;

namespace {

struct Outcome {
  bool crashed = false, timed_out = false;
  int code = -1;
  std::string err;
  std::string last_line() const {
    const QStringList lines = QString::fromStdString(err).split('\n', Qt::SkipEmptyParts);
    return lines.isEmpty() ? std::string() : lines.last().trimmed().toStdString();
  }
};

// fovea-cli with these arguments; through `sh -c "ulimit -f BLOCKS; exec ..."` when a limit is given.
Outcome run_cli(const QStringList& arguments, int file_size_limit_kb = 0) {
  QProcess process;
  if (file_size_limit_kb > 0) {
    QString command = QString("ulimit -f %1; exec '%2'").arg(file_size_limit_kb).arg(FOVEA_CLI);
    for (const QString& a : arguments) command += " '" + a + "'";
    process.start("sh", {"-c", command});
  } else {
    process.start(FOVEA_CLI, arguments);
  }
  Outcome o;
  if (!process.waitForFinished(120000)) {
    process.kill();
    process.waitForFinished();
    o.timed_out = true;
  }
  o.crashed = process.exitStatus() != QProcess::NormalExit;
  o.code = process.exitCode();
  o.err = process.readAllStandardError().toStdString();
  return o;
}

std::vector<uint8_t> bytes_of(const std::string& text) { return {text.begin(), text.end()}; }

template <size_t N>
std::vector<uint8_t> literal(const char (&text)[N]) {  // a string literal's bytes, NULs included, without the last
  return {text, text + N - 1};
}

// A pickle (protocol 2) whose first object calls os.system("true").
constexpr char kEvilPickle[] = "\x80\x02" "cos\nsystem\n" "X\x04\x00\x00\x00true" "\x85" "R.";

void write_in_folder(const std::string& path, const std::vector<uint8_t>& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  write_bytes(path, bytes);
}

// A safetensors file: 8-byte little-endian header length, the JSON header, then the data.
std::vector<uint8_t> safetensors(const std::string& header, size_t data_bytes, uint64_t declared = 0) {
  const uint64_t length = declared ? declared : header.size();
  std::vector<uint8_t> out(8);
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(length >> (8 * i));
  out.insert(out.end(), header.begin(), header.end());
  out.resize(out.size() + data_bytes, 0);
  return out;
}

// An IDX file with the given magic and dimensions, and `payload` bytes after the header.
std::vector<uint8_t> idx(uint32_t magic, const std::vector<uint32_t>& dims, size_t payload) {
  std::vector<uint8_t> out;
  const auto be32 = [&](uint32_t v) {
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  be32(magic);
  for (uint32_t d : dims) be32(d);
  out.resize(out.size() + payload, 7);
  return out;
}

}  // namespace

class BadInputsTest : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  std::string root_, good_checkpoint_, good_data_, image_;

  std::string path(const std::string& name) const { return root_ + "/" + name; }
  QString q(const std::string& s) const { return QString::fromStdString(s); }

  // Runs one case: a non-zero exit, no crash or hang, an error line that names `named`, and none of
  // `absent` (final names) left behind.
  void expect_refused(const char* label, const QStringList& arguments, const std::string& named,
                      const std::vector<std::string>& absent = {}, int file_size_limit_kb = 0) {
    const Outcome o = run_cli(arguments, file_size_limit_kb);
    std::printf("CASE | %s | exit %d | %s\n", label, o.code, o.last_line().c_str());
    QVERIFY2(!o.timed_out, label);
    QVERIFY2(!o.crashed, qPrintable(QString("%1: crashed: %2").arg(label, q(o.err))));
    QVERIFY2(o.code != 0, qPrintable(QString("%1: exit code 0").arg(label)));
    QVERIFY2(o.err.find(named) != std::string::npos,
             qPrintable(QString("%1: the message does not name '%2': %3").arg(label, q(named), q(o.err))));
    QVERIFY2(o.err.find("terminate called") == std::string::npos && o.err.find("Exception raised from") == std::string::npos,
             qPrintable(QString("%1: an internal error leaked: %2").arg(label, q(o.err))));
    for (const std::string& file : absent)
      QVERIFY2(!fs::exists(file), qPrintable(QString("%1: %2 was left behind").arg(label, q(file))));
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    root_ = dir_.path().toStdString();
    good_data_ = path("idx");
    fs::create_directories(good_data_);
    fovea::testing::write_idx_dataset(good_data_, 64, 32, 28, false);
    // A real checkpoint to export and to predict with.
    const Outcome trained = run_cli({"train", "--model", "airbench94", "--data", q(good_data_), "--epochs", "1",
                                     "--batch-size", "32", "--device", "cpu", "--out", q(path("run"))});
    QVERIFY2(trained.code == 0, trained.err.c_str());
    good_checkpoint_ = path("run/epoch-001.safetensors");
    QVERIFY(fs::exists(good_checkpoint_));
    image_ = path("grey.pgm");
    fovea::testing::write_netpbm(image_, 8, 8, std::vector<uint8_t>(64, 100), false);
  }

  void checkpoints() {
    const auto predict = [&](const std::string& checkpoint) {
      return QStringList{"predict", "--checkpoint", q(checkpoint), "--model", "resnet18", q(image_)};
    };
    expect_refused("checkpoint: no such file", predict(path("missing.safetensors")), "missing.safetensors");
    fs::create_directories(path("a_folder.pth"));
    expect_refused("checkpoint: a folder", predict(path("a_folder.pth")), "a_folder.pth: is a folder");
    write_bytes(path("empty.safetensors"), {});
    expect_refused("checkpoint: empty file", predict(path("empty.safetensors")), "empty.safetensors");
    write_bytes(path("long_header.safetensors"), safetensors("{}", 0, 4096));
    expect_refused("safetensors: header longer than the file", predict(path("long_header.safetensors")),
                   "long_header.safetensors");
    write_bytes(path("huge_header.safetensors"), safetensors("{}", 0, UINT64_C(1) << 62));
    expect_refused("safetensors: header length 2^62", predict(path("huge_header.safetensors")), "huge_header.safetensors");
    write_bytes(path("not_json.safetensors"), safetensors("{this is not json", 0));
    expect_refused("safetensors: header not JSON", predict(path("not_json.safetensors")), "not_json.safetensors");
    write_bytes(path("beyond.safetensors"),
                safetensors(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 8));
    expect_refused("safetensors: tensor beyond the data", predict(path("beyond.safetensors")), "beyond.safetensors");
    write_bytes(path("dtype.safetensors"),
                safetensors(R"({"w":{"dtype":"X99","shape":[2],"data_offsets":[0,8]}})", 8));
    expect_refused("safetensors: unknown dtype", predict(path("dtype.safetensors")), "dtype.safetensors");
    write_bytes(path("shape.safetensors"),
                safetensors(R"({"w":{"dtype":"F32","shape":[3,3],"data_offsets":[0,8]}})", 8));
    expect_refused("safetensors: shape does not fit its bytes", predict(path("shape.safetensors")), "shape.safetensors");
    write_bytes(path("overflow.safetensors"),
                safetensors(R"({"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}})", 8));
    expect_refused("safetensors: shape overflows 64 bits", predict(path("overflow.safetensors")), "overflow.safetensors");
    write_bytes(path("random.pth"), fovea::testing::random_bytes(4096, 9));
    expect_refused(".pth: random bytes", predict(path("random.pth")), "random.pth");
    // A legacy pickle whose first object calls os.system("true"): the restricted unpickler refuses it.
    write_bytes(path("evil.pth"), literal(kEvilPickle));
    expect_refused(".pth: pickle that calls os.system", predict(path("evil.pth")), "evil.pth");
    write_bytes(path("truncated.pth"), literal("PK\x03\x04\x14\x00\x00\x00\x00\x00"));
    expect_refused(".pth: truncated zip", predict(path("truncated.pth")), "truncated.pth");
    expect_refused("checkpoint: an image", predict(image_), "grey.pgm");
    expect_refused("checkpoint of another model", {"predict", "--checkpoint", q(good_checkpoint_), "--model", "vit_tiny", q(image_)},
                   "epoch-001.safetensors");
  }

  void data_sets() {
    const auto eval = [&](const std::string& data) {
      return QStringList{"eval", "--checkpoint", q(good_checkpoint_), "--data", q(data), "--device", "cpu"};
    };
    expect_refused("data: no such folder", eval(path("nowhere")), "nowhere");
    fs::create_directories(path("empty_folder"));
    expect_refused("data: empty folder", {"info", "--data", q(path("empty_folder"))}, "empty_folder");
    const std::string bad_magic = path("bad_magic");
    fs::create_directories(bad_magic);
    fovea::testing::write_idx_dataset(bad_magic, 16, 16, 28, false);
    write_bytes(bad_magic + "/t10k-images-idx3-ubyte", idx(0x00000999, {16, 28, 28}, 16 * 28 * 28));
    expect_refused("IDX: wrong magic number", eval(bad_magic), "t10k-images-idx3-ubyte");
    const std::string truncated = path("truncated_idx");
    fs::create_directories(truncated);
    fovea::testing::write_idx_dataset(truncated, 16, 16, 28, false);
    write_bytes(truncated + "/t10k-images-idx3-ubyte", idx(0x00000803, {16, 28, 28}, 5 * 28 * 28));
    expect_refused("IDX: fewer images than the header says", eval(truncated), "t10k-images-idx3-ubyte");
    const std::string counts = path("count_mismatch");
    fs::create_directories(counts);
    fovea::testing::write_idx_dataset(counts, 16, 16, 28, false);
    write_bytes(counts + "/t10k-labels-idx1-ubyte", idx(0x00000801, {12}, 12));
    expect_refused("IDX: label and image counts differ", eval(counts), "t10k");
    const std::string gz = path("bad_gz");
    fs::create_directories(gz);
    fovea::testing::write_idx_dataset(gz, 16, 16, 28, true);
    write_bytes(gz + "/t10k-images-idx3-ubyte.gz", literal("\x1f\x8b\x08\x00garbage-not-deflate"));
    expect_refused("IDX: corrupt gzip", eval(gz), "t10k-images-idx3-ubyte.gz");
    const std::string cifar = path("cifar_bin");
    fs::create_directories(cifar);
    for (int i = 1; i <= 5; ++i) write_bytes(cifar + "/data_batch_" + std::to_string(i) + ".bin", std::vector<uint8_t>(3073 * 2, 1));
    write_bytes(cifar + "/test_batch.bin", std::vector<uint8_t>(3073 + 100, 1));
    expect_refused("CIFAR binary: size not a multiple of 3,073", {"info", "--data", q(cifar)}, "test_batch.bin");
    const std::string cifar_py = path("cifar_py");
    fs::create_directories(cifar_py);
    for (const char* name : {"data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch", "batches.meta"})
      write_bytes(cifar_py + "/" + name, literal(kEvilPickle));
    expect_refused("CIFAR python: pickle that calls os.system", {"info", "--data", q(cifar_py)}, "cifar_py");
    const std::string texts = path("only_text");
    for (const char* c : {"train/a", "train/b", "val/a", "val/b"}) write_in_folder(texts + "/" + c + "/notes.txt", bytes_of("not an image"));
    expect_refused("ImageFolder: no images at all", {"info", "--data", q(texts)}, "only_text");
    const std::string corrupt = path("corrupt_jpegs");
    for (const char* c : {"a", "b"})
      for (int i = 0; i < 3; ++i)
        write_in_folder(corrupt + "/" + c + "/" + std::to_string(i) + ".jpg", literal("\xff\xd8\xff\xe0 broken"));
    expect_refused("ImageFolder: every image corrupt (eval)", eval(corrupt), "corrupt_jpegs");
  }

  void arguments() {
    // The run's other settings are valid; `extra` holds the bad one (and the device or epochs when it is one).
    const auto train = [&](QStringList extra) {
      QStringList arguments{"train", "--data", q(good_data_), "--out", q(path("never"))};
      if (!extra.contains("--device")) arguments << "--device" << "cpu";
      if (!extra.contains("--epochs")) arguments << "--epochs" << "1";
      return arguments + extra;
    };
    expect_refused("train --batch-size 0", train({"--batch-size", "0"}), "batch");
    expect_refused("train --epochs -1", train({"--epochs", "-1"}), "epochs");
    expect_refused("train --lr nan", train({"--lr", "nan"}), "nan");
    expect_refused("train --lr -1", train({"--lr", "-1"}), "-1");
    expect_refused("train --device cuda:7 (no such GPU)", train({"--device", "cuda:7"}), "cuda:7");
    expect_refused("train --model no_such_model", train({"--model", "no_such_model"}), "no_such_model");
    expect_refused("train --optimizer foo", train({"--optimizer", "foo"}), "foo");
    expect_refused("train --label-smoothing 2", train({"--label-smoothing", "2"}), "2");
    expect_refused("train --randaugment 2,99", train({"--randaugment", "2,99"}), "99");
    expect_refused("train --resume a file that is not a Fovea checkpoint", {"train", "--resume", q(image_)}, "grey.pgm");
    expect_refused("an unknown option", {"train", "--no-such-option"}, "--no-such-option");
    expect_refused("download an unknown data set", {"download", "imagenet-22k", "--dest", q(path("dl"))}, "imagenet-22k");
    QVERIFY2(!fs::exists(path("never")), "a refused run created its output folder");
  }

  void images() {
    const auto predict = [&](const std::string& file) {
      return QStringList{"predict", "--checkpoint", q(good_checkpoint_), q(file)};
    };
    write_text(path("notes.jpg"), "this is text");
    expect_refused("predict: a text file named .jpg", predict(path("notes.jpg")), "notes.jpg");
    write_bytes(path("cut.jpg"), literal("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01"));
    expect_refused("predict: a truncated JPEG", predict(path("cut.jpg")), "cut.jpg");
    // A PNG header claiming 100,000 x 100,000 pixels (a decompression bomb): refused, not allocated.
    std::vector<uint8_t> bomb = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                                 0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0, 8, 2, 0, 0, 0, 0, 0, 0, 0};
    write_bytes(path("bomb.png"), bomb);
    expect_refused("predict: PNG claiming 100,000 x 100,000 pixels", predict(path("bomb.png")), "bomb.png");
    // The fuzzer's finding: a BMP header claiming 1,179,210,823 x 1,610,416,128 pixels made OpenCV allocate 2.2 GB.
    std::vector<uint8_t> bmp = {'B', 'M', 198, 0, 0, 0, 0, 0, 0, 0, 138, 0, 0, 0, 92, 0, 0, 0,
                                'G', 'T', 'I', 'F', 0, 0, 3, 160, 1, 0, 32, 0, 3, 0, 0, 0};
    bmp.resize(198, 0);
    write_bytes(path("bomb.bmp"), bmp);
    expect_refused("predict: BMP claiming 1,179,210,823 pixels wide", predict(path("bomb.bmp")), "bomb.bmp");
    // A baseline JPEG whose frame header claims 65,535 x 65,535 pixels, then nothing.
    write_bytes(path("bomb.jpg"), literal("\xff\xd8\xff\xc0\x00\x11\x08\xff\xff\xff\xff\x03\x01\x22\x00\x02\x11"
                                          "\x01\x03\x11\x01\xff\xd9"));
    expect_refused("predict: JPEG claiming 65,535 x 65,535 pixels", predict(path("bomb.jpg")), "65535x65535");
    write_bytes(path("anim.gif"), literal("GIF89a\x01\x00\x01\x00\x00\x00\x00;"));
    expect_refused("predict: a GIF (a format Fovea does not read)", predict(path("anim.gif")), "anim.gif: not an image");
    expect_refused("predict: no such image", predict(path("nothing.png")), "nothing.png");
  }

  void output_places() {
    const auto export_to = [&](const std::string& out) {
      return QStringList{"export", "--checkpoint", q(good_checkpoint_), "--format", "safetensors", "--out", q(out)};
    };
    write_text(path("plain_file"), "x");
    expect_refused("export: the folder is a file", export_to(path("plain_file/model.safetensors")), "is a file, not a folder");
    expect_refused("export: no such folder", export_to(path("no/such/folder/model.safetensors")), "model.safetensors");
    // The disk "fills up" after 64 KiB: the write fails, and neither the final file nor a temporary stays.
    const std::string limited = path("limited");
    fs::create_directories(limited);
    expect_refused("export: disk full (64 KiB file-size limit)", export_to(limited + "/model.safetensors"), "model.safetensors",
                   {limited + "/model.safetensors"}, 64);
    expect_refused("train: disk full while writing the checkpoint (64 KiB limit)",
                   {"train", "--model", "resnet18", "--data", q(good_data_), "--epochs", "1", "--batch-size", "32",
                    "--device", "cpu", "--out", q(limited)},
                   "epoch-001.safetensors", {limited + "/epoch-001.safetensors"}, 64);
    for (const auto& entry : fs::directory_iterator(limited))
      QFAIL(qPrintable("left behind after a failed write: " + q(entry.path().string())));
  }
};

QTEST_GUILESS_MAIN(BadInputsTest)
#include "test_bad_inputs.moc"
