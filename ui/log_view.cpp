#include "ui/log_view.h"

#include <QTime>
#include "ui/theme.h"

namespace fovea::ui {

namespace {

constexpr int kMaxLines = 10000;

QColor colorFor(log::Level level, const QPalette& palette) {
  switch (level) {
    case log::Level::Debug: return palette.color(QPalette::PlaceholderText);
    case log::Level::Info: return palette.color(QPalette::Text);
    case log::Level::Warning: return warningColor(palette);
    case log::Level::Error: return errorColor(palette);
  }
  return palette.color(QPalette::Text);
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
  appendHtml(QStringLiteral("<span style=\"color:%1; white-space:pre-wrap\">%2</span>")
                 .arg(colorFor(level, palette()).name(), line));
}

void LogView::addFailure(const QString& message) { addMessage(log::Level::Error, tr("Failed: %1").arg(message)); }

}  // namespace fovea::ui
