// QCustomPlot in the palette's colours (its defaults are black on white whatever the system theme).
#pragma once

class QCustomPlot;
class QPalette;

namespace fovea::ui {

// Background, axes, ticks, grid, labels, title and legend from `palette`; call again on a palette
// change, with the palette of the widget that got the change (its children's palettes follow only after
// it has handled the event).
void applyPalette(QCustomPlot* plot, const QPalette& palette);

}  // namespace fovea::ui
