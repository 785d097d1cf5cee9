// QCustomPlot for code built with QT_NO_KEYWORDS: its header still uses the `signals` and `foreach`
// keywords, so they are defined around the include and removed again afterwards.
#pragma once

#include <QtGlobal>

#ifndef signals
#define signals Q_SIGNALS
#define FOVEA_DEFINED_SIGNALS_KEYWORD
#endif
#ifndef foreach
#define foreach Q_FOREACH
#define FOVEA_DEFINED_FOREACH_KEYWORD
#endif

#include <qcustomplot.h>

#ifdef FOVEA_DEFINED_SIGNALS_KEYWORD
#undef signals
#undef FOVEA_DEFINED_SIGNALS_KEYWORD
#endif
#ifdef FOVEA_DEFINED_FOREACH_KEYWORD
#undef foreach
#undef FOVEA_DEFINED_FOREACH_KEYWORD
#endif
