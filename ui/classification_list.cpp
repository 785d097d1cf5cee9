#include "ui/classification_list.h"

#include <QLocale>
#include <QPainter>
#include <algorithm>
#include "ui/theme.h"

namespace fovea::ui {

namespace {

constexpr int kIconSide = 48;
constexpr int kIdRole = Qt::UserRole;
constexpr int kTitleRole = Qt::UserRole + 1;

// The preview centred in a square, so that every row lines up.
QIcon squareIcon(const QImage& image) {
  QPixmap pixmap(kIconSide, kIconSide);
  pixmap.fill(Qt::transparent);
  if (!image.isNull()) {
    QPainter painter(&pixmap);
    const QImage scaled = image.scaled(kIconSide, kIconSide, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    painter.drawImage(QPoint((kIconSide - scaled.width()) / 2, (kIconSide - scaled.height()) / 2), scaled);
  }
  return QIcon(pixmap);
}

// The error's first clause, for the row; the details and the tooltip show all of it.
QString shortError(const QString& error) {
  qsizetype end = error.size();
  for (const QString& stop : {QStringLiteral(" ("), QStringLiteral(": ")}) {
    const qsizetype at = error.indexOf(stop);
    if (at > 0) end = std::min(end, at);
  }
  return error.left(end);
}

}  // namespace

ClassificationList::ClassificationList(QWidget* parent) : QListWidget(parent) {
  setObjectName(QStringLiteral("classificationList"));
  setIconSize(QSize(kIconSide, kIconSide));
  setUniformItemSizes(true);
  setWordWrap(false);
  setTextElideMode(Qt::ElideRight);
  setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  setSelectionMode(QAbstractItemView::SingleSelection);
}

int ClassificationList::addPending(int id, const QString& title, const QString& note) {
  auto* item = new QListWidgetItem(this);
  item->setData(kTitleRole, title);
  item->setToolTip(title);
  setPending(row(item), id, note);
  return row(item);
}

void ClassificationList::setPending(int row, int id, const QString& note) {
  QListWidgetItem* it = item(row);
  if (!it) return;
  if (it->data(kIdRole).isValid()) results_.remove(idAt(row));
  it->setData(kIdRole, id);
  it->setText(titleAt(row) + QLatin1Char('\n') + note);
  it->setForeground(palette().color(QPalette::PlaceholderText));
  it->setIcon(squareIcon({}));
}

bool ClassificationList::setResult(const ImageClassification& result) {
  QListWidgetItem* it = item(rowOf(result.id));
  if (!it) return false;
  results_.insert(result.id, result);
  const QString title = it->data(kTitleRole).toString();
  if (!result.error.isEmpty()) {
    it->setText(title + QLatin1Char('\n') + shortError(result.error));
    it->setForeground(errorColor(palette()));
    it->setToolTip(title + QLatin1Char('\n') + result.error);
  } else if (!result.top.isEmpty()) {
    const QLocale locale;
    it->setText(tr("%1\n%2 · %3 % · %4 ms")
                    .arg(title, result.top.first().name,
                         locale.toString(100 * result.top.first().probability, 'f', 1),
                         locale.toString(result.milliseconds, 'f', 0)));
    it->setForeground(palette().color(QPalette::Text));
  }
  it->setIcon(squareIcon(result.preview));
  return true;
}

void ClassificationList::clearRows() {
  clear();
  results_.clear();
}

int ClassificationList::idAt(int row) const {
  const QListWidgetItem* it = item(row);
  return it ? it->data(kIdRole).toInt() : -1;
}

QString ClassificationList::titleAt(int row) const {
  const QListWidgetItem* it = item(row);
  return it ? it->data(kTitleRole).toString() : QString();
}

std::optional<ImageClassification> ClassificationList::resultAt(int row) const {
  const auto it = results_.constFind(idAt(row));
  if (it == results_.constEnd()) return std::nullopt;
  return *it;
}

int ClassificationList::errorCount() const {
  int errors = 0;
  for (const ImageClassification& r : results_) errors += r.error.isEmpty() ? 0 : 1;
  return errors;
}

int ClassificationList::rowOf(int id) const {
  for (int r = 0; r < count(); ++r) {
    if (idAt(r) == id) return r;
  }
  return -1;
}

}  // namespace fovea::ui
