#include "ui/button_action.h"

#include <QAbstractButton>
#include <QEvent>
#include <QWidget>

namespace fovea::ui {

ButtonAction::ButtonAction(const QString& text, const QKeySequence& shortcut, QAbstractButton* button, QObject* parent)
    : QAction(text, parent), button_(button), watched_(button) {
  setShortcut(shortcut);
  setEnabled(button->isEnabled());
  const QString keys = shortcut.toString(QKeySequence::NativeText);
  button->setToolTip(button->toolTip().isEmpty() ? tr("%1 (%2)").arg(QString(text).remove(QLatin1Char('&')), keys)
                                                  : tr("%1 (%2)").arg(button->toolTip(), keys));
  button->installEventFilter(this);
  connect(this, &QAction::triggered, this, [this] {
    if (button_ && button_->isEnabled()) button_->click();
  });
}

// QAbstractButton has no signal for a change of its enabled state; the event tells. The comparison is of
// plain QObject pointers: while the button is destroyed its QWidget part still sends events, and turning
// the QPointer<QAbstractButton> into a pointer then would be a downcast to a type it no longer has (UBSan).
bool ButtonAction::eventFilter(QObject* watched, QEvent* event) {
  if (watched == watched_ && event->type() == QEvent::EnabledChange)
    if (const auto* widget = qobject_cast<QWidget*>(watched)) setEnabled(widget->isEnabled());
  return QAction::eventFilter(watched, event);
}

}  // namespace fovea::ui
