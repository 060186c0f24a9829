"""``wbnb.sklearn``: wandb's ``wandb.sklearn`` charts of scikit-learn models, logged to the current run.

    import wbnb as wandb
    run = wandb.init(project="iris")
    wandb.sklearn.plot_classifier(model, X_train, X_test, y_train, y_test, y_pred, y_probas, labels)

Each ``plot_*`` has wandb's arguments, computes what wandb's computes and logs one record
under wandb's key (``roc``, ``precision_recall``, ``confusion_matrix``, ``learning_curve``,
``class_proportions``, ...): a ``wbnb.plot`` chart over a ``Table`` that ``Charts`` draws
(``ConfusionMatrix`` the confusion matrix). Bad input warns and logs nothing; plots that
fit models (learning curve, calibration, elbow, residuals, outliers) fit copies, and say so
once.
"""

try:
    import sklearn  # noqa: F401
except ImportError as err:  # name= keeps it a missing module for tools that tell it from a bug here
    raise ModuleNotFoundError(
        "wbnb.sklearn charts scikit-learn models: pip install scikit-learn", name="sklearn"
    ) from err

from .classifier import (
    plot_calibration_curve,
    plot_class_proportions,
    plot_classifier,
    plot_confusion_matrix,
    plot_feature_importances,
    plot_precision_recall,
    plot_roc,
)
from .clusterer import plot_clusterer, plot_elbow_curve, plot_silhouette
from .regressor import plot_outlier_candidates, plot_regressor, plot_residuals
from .shared import plot_learning_curve, plot_summary_metrics

__all__ = [
    "plot_calibration_curve",
    "plot_class_proportions",
    "plot_classifier",
    "plot_clusterer",
    "plot_confusion_matrix",
    "plot_elbow_curve",
    "plot_feature_importances",
    "plot_learning_curve",
    "plot_outlier_candidates",
    "plot_precision_recall",
    "plot_regressor",
    "plot_residuals",
    "plot_roc",
    "plot_silhouette",
    "plot_summary_metrics",
]
