// A menu action that stands for a page's push button (Start, Stop, Evaluate…): triggering it clicks the
// button, and it is enabled exactly when the button is, so the menu and its shortcut never do what the
// button could not. The button's tooltip names the shortcut.
#pragma once

#include <QAction>
#include <QPointer>

class QAbstractButton;

namespace fovea::ui {

class ButtonAction final : public QAction {
  Q_OBJECT

 public:
  ButtonAction(const QString& text, const QKeySequence& shortcut, QAbstractButton* button, QObject* parent);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  QPointer<QAbstractButton> button_;
  QObject* watched_ = nullptr;  // the same button, compared as a QObject (see eventFilter)
};

}  // namespace fovea::ui
