// Colours derived from the widget's palette, so that Fovea reads well under light and dark system
// themes alike: nothing in ui/ hard-codes a colour meant for a light background.
#pragma once

#include <QColor>
#include <QPalette>

class QWidget;

namespace fovea::ui {

// The window background is darker than mid-grey.
bool isDarkPalette(const QPalette& palette);

// Text colours for errors, warnings and successes with enough contrast on the palette's window and base.
QColor errorColor(const QPalette& palette);
QColor warningColor(const QPalette& palette);
QColor successColor(const QPalette& palette);

// Distinct line colours (the Tableau-10 set, lightened on dark backgrounds); `index` wraps around.
QColor seriesColor(const QPalette& palette, int index);

// The confusion matrix's ramp: an empty cell is the base colour; any count is at least `heatLow`,
// the largest share `heatHigh`, the one furthest from the base.
QColor heatLow(const QPalette& palette);
QColor heatHigh(const QPalette& palette);

// Shows the widget's text in the error colour of its palette, or in its normal colour again.
void showAsError(QWidget* widget, bool error);

}  // namespace fovea::ui
