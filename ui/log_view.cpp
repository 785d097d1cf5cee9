#include "ui/log_view.h"

#include <QTime>

namespace fovea::ui {

namespace {

constexpr int kMaxLines = 10000;

QString colorFor(log::Level level) {
  switch (level) {
    case log::Level::Debug: return QStringLiteral("#808080");
    case log::Level::Info: return {};
    case log::Level::Warning: return QStringLiteral("#b26a00");
    case log::Level::Error: return QStringLiteral("#c62828");
  }
  return {};
}

}  // namespace

LogView::LogView(QWidget* parent) : QPlainTextEdit(parent) {
  setObjectName(QStringLiteral("logView"));
  setReadOnly(true);
  setMaximumBlockCount(kMaxLines);
  setLineWrapMode(QPlainTextEdit::WidgetWidth);
  setPlaceholderText(tr("Messages from the training run appear here."));
}

void LogView::addMessage(log::Level level, const QString& message) {
  const QString time = QTime::currentTime().toString(QStringLiteral("HH:mm:ss"));
  const QString line = tr("%1  %2").arg(time, message).toHtmlEscaped();
  QString color = colorFor(level);
  if (color.isEmpty()) color = palette().color(QPalette::Text).name();
  appendHtml(QStringLiteral("<span style=\"color:%1; white-space:pre-wrap\">%2</span>").arg(color, line));
}

void LogView::addFailure(const QString& message) { addMessage(log::Level::Error, tr("Failed: %1").arg(message)); }

}  // namespace fovea::ui
