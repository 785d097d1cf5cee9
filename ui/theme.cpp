#include "ui/theme.h"

#include <QWidget>
#include <array>

namespace fovea::ui {

namespace {

constexpr int kMidLightness = 128;

QColor mix(const QColor& a, const QColor& b, double t) {
  return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t), float(a.greenF() + (b.greenF() - a.greenF()) * t),
                          float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

// Material-style tones: the 800 shade on light backgrounds, the 300-400 shade on dark ones.
QColor pick(const QPalette& palette, QRgb onLight, QRgb onDark) {
  return QColor::fromRgb(isDarkPalette(palette) ? onDark : onLight);
}

}  // namespace

bool isDarkPalette(const QPalette& palette) { return palette.color(QPalette::Window).lightness() < kMidLightness; }

QColor errorColor(const QPalette& palette) { return pick(palette, qRgb(198, 40, 40), qRgb(239, 83, 80)); }

QColor warningColor(const QPalette& palette) { return pick(palette, qRgb(178, 106, 0), qRgb(255, 183, 77)); }

QColor successColor(const QPalette& palette) { return pick(palette, qRgb(27, 127, 55), qRgb(102, 187, 106)); }

QColor seriesColor(const QPalette& palette, int index) {
  static constexpr std::array<QRgb, 6> kTableau = {qRgb(31, 119, 180), qRgb(255, 127, 14), qRgb(44, 160, 44),
                                                    qRgb(214, 39, 40),  qRgb(148, 103, 189), qRgb(140, 86, 75)};
  const QColor colour = QColor::fromRgb(kTableau[size_t(index) % kTableau.size()]);
  return isDarkPalette(palette) ? colour.lighter(150) : colour;
}

QColor heatHigh(const QPalette& palette) { return pick(palette, qRgb(8, 48, 107), qRgb(158, 202, 255)); }

QColor heatLow(const QPalette& palette) { return mix(palette.color(QPalette::Base), heatHigh(palette), 0.22); }

void showAsError(QWidget* widget, bool error) {
  widget->setStyleSheet(error ? QStringLiteral("color: %1;").arg(errorColor(widget->palette()).name()) : QString());
}

}  // namespace fovea::ui
