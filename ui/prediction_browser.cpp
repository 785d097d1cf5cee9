#include "ui/prediction_browser.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QLocale>
#include <QMenu>
#include <QPushButton>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include "ui/prediction_delegate.h"
#include "ui/prediction_list_model.h"

namespace fovea::ui {

using Result = PredictionListModel::Result;
using Order = PredictionListModel::Order;

PredictionBrowser::PredictionBrowser(QWidget* parent)
    : QWidget(parent),
      model_(new PredictionListModel(this)),
      view_(new QListView(this)),
      classCombo_(new QComboBox(this)),
      resultCombo_(new QComboBox(this)),
      orderCombo_(new QComboBox(this)),
      mistakesButton_(new QPushButton(tr("Most confident mistakes"), this)),
      pairLabel_(new QLabel(this)),
      clearPairButton_(new QPushButton(tr("Show all"), this)),
      summary_(new QLabel(this)) {
  classCombo_->setObjectName(QStringLiteral("galleryClassFilter"));
  classCombo_->setToolTip(tr("Show the images of one true class only"));
  classCombo_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  classCombo_->setMinimumContentsLength(12);
  resultCombo_->setObjectName(QStringLiteral("galleryResultFilter"));
  resultCombo_->addItem(tr("Right and wrong"), int(Result::All));
  resultCombo_->addItem(tr("Right only"), int(Result::Correct));
  resultCombo_->addItem(tr("Wrong only"), int(Result::Wrong));
  resultCombo_->setToolTip(tr("Show the images whose top-1 prediction is right, wrong, or both"));
  orderCombo_->setObjectName(QStringLiteral("galleryOrder"));
  orderCombo_->addItem(tr("Data set order"), int(Order::DataSet));
  orderCombo_->addItem(tr("Most confident first"), int(Order::ConfidenceDescending));
  orderCombo_->addItem(tr("Least confident first"), int(Order::ConfidenceAscending));
  orderCombo_->addItem(tr("Highest loss first"), int(Order::LossDescending));
  orderCombo_->setToolTip(tr("Order by the top-1 probability or by the loss of the true class"));
  mistakesButton_->setObjectName(QStringLiteral("mostConfidentMistakesButton"));
  mistakesButton_->setToolTip(tr("The wrong predictions, most confident first: where the model is sure and wrong"));
  pairLabel_->setObjectName(QStringLiteral("galleryPairLabel"));
  clearPairButton_->setObjectName(QStringLiteral("galleryClearPairButton"));
  clearPairButton_->setToolTip(tr("Leave the confusion matrix cell and show all sampled images again"));
  summary_->setObjectName(QStringLiteral("gallerySummary"));
  summary_->setWordWrap(true);

  view_->setObjectName(QStringLiteral("predictionView"));
  view_->setModel(model_);
  view_->setItemDelegate(new PredictionDelegate(view_));
  view_->setViewMode(QListView::IconMode);
  view_->setFlow(QListView::LeftToRight);
  view_->setWrapping(true);
  view_->setResizeMode(QListView::Adjust);
  view_->setMovement(QListView::Static);
  view_->setUniformItemSizes(true);  // lays out 50,000 items without measuring each
  view_->setLayoutMode(QListView::Batched);
  view_->setGridSize(PredictionDelegate::itemSize(fontMetrics()) + QSize(4, 4));
  view_->setSelectionMode(QAbstractItemView::SingleSelection);
  view_->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
  view_->setContextMenuPolicy(Qt::CustomContextMenu);

  auto* filters = new QHBoxLayout;
  filters->addWidget(new QLabel(tr("Class:"), this));
  filters->addWidget(classCombo_);
  filters->addWidget(resultCombo_);
  filters->addWidget(orderCombo_);
  filters->addWidget(mistakesButton_);
  filters->addStretch(1);
  auto* pair = new QHBoxLayout;
  pair->addWidget(summary_, 1);
  pair->addWidget(pairLabel_);
  pair->addWidget(clearPairButton_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(filters);
  layout->addLayout(pair);
  layout->addWidget(view_, 1);

  connect(classCombo_, &QComboBox::currentIndexChanged, this, &PredictionBrowser::applyFilters);
  connect(resultCombo_, &QComboBox::currentIndexChanged, this, &PredictionBrowser::applyFilters);
  connect(orderCombo_, &QComboBox::currentIndexChanged, this, &PredictionBrowser::applyFilters);
  connect(mistakesButton_, &QPushButton::clicked, this, &PredictionBrowser::showMostConfidentMistakes);
  connect(clearPairButton_, &QPushButton::clicked, this, &PredictionBrowser::clearPair);
  connect(view_, &QListView::activated, this, [this](const QModelIndex& index) { Q_EMIT saliencyRequested(index.row()); });
  connect(view_, &QListView::customContextMenuRequested, this, &PredictionBrowser::showContextMenu);
  clear();
}

void PredictionBrowser::setSamples(const engine::PredictionSamples& samples) {
  {
    const QSignalBlocker quiet(classCombo_);
    classCombo_->clear();
    classCombo_->addItem(tr("All classes"), -1);
    for (size_t c = 0; c < samples.class_names.size(); ++c)
      classCombo_->addItem(QString::fromStdString(samples.class_names[c]), int(c));
  }
  model_->setPair(std::nullopt);
  model_->setSamples(samples);
  applyFilters();
}

void PredictionBrowser::clear() {
  setSamples({});
}

void PredictionBrowser::showPair(int trueClass, int predicted) {
  {
    const QSignalBlocker quietClass(classCombo_), quietResult(resultCombo_);
    classCombo_->setCurrentIndex(0);
    resultCombo_->setCurrentIndex(0);
  }
  model_->setPair(std::pair{trueClass, predicted});
  applyFilters();
}

void PredictionBrowser::clearPair() {
  model_->setPair(std::nullopt);
  applyFilters();
}

void PredictionBrowser::showMostConfidentMistakes() {
  model_->setPair(std::nullopt);
  const QSignalBlocker quietClass(classCombo_), quietResult(resultCombo_), quietOrder(orderCombo_);
  classCombo_->setCurrentIndex(0);
  resultCombo_->setCurrentIndex(resultCombo_->findData(int(Result::Wrong)));
  orderCombo_->setCurrentIndex(orderCombo_->findData(int(Order::ConfidenceDescending)));
  applyFilters();
}

void PredictionBrowser::applyFilters() {
  model_->setTrueClass(classCombo_->currentIndex() >= 0 ? classCombo_->currentData().toInt() : -1);
  model_->setResult(Result(resultCombo_->currentData().toInt()));
  model_->setOrder(Order(orderCombo_->currentData().toInt()));
  // A class or result filter chosen by hand takes over from a matrix cell.
  if (model_->pair() && (model_->trueClass() >= 0 || model_->result() != Result::All)) model_->setPair(std::nullopt);
  updateSummary();
  view_->scrollToTop();
}

void PredictionBrowser::showContextMenu(const QPoint& position) {
  const QModelIndex index = view_->indexAt(position);
  if (!index.isValid()) return;
  QMenu menu(this);
  QAction* show = menu.addAction(tr("Show Grad-CAM"), this, [this, row = index.row()] { Q_EMIT saliencyRequested(row); });
  show->setToolTip(tr("Where the evidence for the predicted class lies in this image (convolutional networks only)"));
  menu.setToolTipsVisible(true);
  menu.exec(view_->viewport()->mapToGlobal(position));
}

int PredictionBrowser::count() const { return model_->rowCount(); }

QString PredictionBrowser::summaryText() const { return summary_->text(); }

void PredictionBrowser::updateSummary() {
  const QLocale locale;
  const bool any = model_->totalCount() > 0;
  for (QWidget* control : {static_cast<QWidget*>(classCombo_), static_cast<QWidget*>(resultCombo_),
                           static_cast<QWidget*>(orderCombo_), static_cast<QWidget*>(mistakesButton_)})
    control->setEnabled(any);
  const bool showsPair = model_->pair().has_value();
  if (showedPair_ && !showsPair) Q_EMIT pairCleared();
  showedPair_ = showsPair;
  if (const auto pair = model_->pair()) {
    pairLabel_->setText(tr("Cell: true %1 → predicted %2").arg(model_->className(pair->first), model_->className(pair->second)));
    pairLabel_->show();
    clearPairButton_->show();
  } else {
    pairLabel_->hide();
    clearPairButton_->hide();
  }
  summary_->setText(any ? tr("%1 of %2 sampled images · double-click one for its Grad-CAM map")
                              .arg(locale.toString(count()), locale.toString(model_->totalCount()))
                        : tr("Per-image predictions appear here after an evaluation."));
}

}  // namespace fovea::ui
