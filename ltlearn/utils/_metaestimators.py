"""Meta-estimators' methods that delegate to their estimator, and its checks."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline
from sklearn.utils import get_tags
from sklearn.utils.metadata_routing import process_routing
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _estimator_has

from ltlearn.utils._docstring import _X_predict_docstring
from ltlearn.utils._routing import check_fit_params_routed


def no_proba_advice(estimator):
    """What to do about ``estimator``, a model without ``predict_proba``.

    The advice of the refusals of the estimators that read class
    probabilities. An outlier detector (its ``estimator_type`` tag, also a
    pipeline's that ends in one) is fitted without ``y`` and predicts -1 and
    1, so that ``CalibratedClassifierCV`` fails on it ("no attribute
    'classes_'"): its scores serve as a feature of a classifier instead. A
    model whose tags cannot be read (one not built on ``BaseEstimator``) gets
    the general advice.
    """
    try:
        detector = get_tags(estimator).estimator_type == "outlier_detector"
    except AttributeError:  # no __sklearn_tags__ in its classes
        detector = False
    if detector:
        return (
            "it is an outlier detector, fitted without y and predicting -1 and 1 "
            "rather than classes; give its score_samples to a classifier as a "
            "feature"
        )
    return (
        "use a classifier that has it (e.g. SVC(probability=True), or wrap it in "
        "CalibratedClassifierCV)"
    )


def delegated_method(owner, method, summary, returned, description):
    """A method of ``owner`` that calls ``estimator_``'s ``method`` on checked X.

    ``X`` is checked by the owner's ``_validate_for_predict``. The method is
    available when ``estimator`` has ``method``, and documented by ``summary``
    and the returned value's line and description. With metadata routing
    enabled, its ``**params`` go to the ``method`` of ``estimator_`` as it
    requests them; they are refused otherwise.
    """

    def delegate(self, X, **params):
        X = self._validate_for_predict(X)
        if params:
            check_fit_params_routed(self, params, method)
            params = process_routing(self, method, **params).estimator[method]
        return getattr(self.estimator_, method)(X, **params)

    delegate.__name__ = method
    delegate.__qualname__ = f"{owner}.{method}"
    delegate.__doc__ = f"""{summary}

        {_X_predict_docstring}

        **params : dict
            Only with metadata routing enabled: parameters of the ``{method}``
            of the estimator, as it requests them
            (``set_{method}_request``).

        Returns
        -------
        {returned}
            {description}
        """
    return available_if(_estimator_has(method))(delegate)


def final_step(estimator):
    """The step of ``estimator`` that learns the labels: the last of a pipeline.

    Of the last pipeline, for a pipeline nested in the last step of another;
    ``estimator`` itself if it is not a pipeline. A pipeline of malformed
    steps is returned as it is: its own ``fit`` names them.
    """
    while isinstance(estimator, Pipeline):
        try:
            estimator = estimator[-1]
        except (TypeError, ValueError, IndexError, KeyError):
            break
    return estimator


def refuse_frozen(estimator, owner, fit, lost):
    """Refuse a ``FrozenEstimator`` as ``estimator`` of ``owner``, which refits it.

    Also as the last step of a pipeline given as ``estimator`` (its earlier
    steps may be frozen: they are not what learns the labels). ``fit`` says
    how ``owner`` fits its estimator, ``lost`` what a model that is never
    refitted does not do.
    """
    last = final_step(estimator)
    if isinstance(last, FrozenEstimator):
        where = "" if last is estimator else " (the last step of its pipeline)"
        raise ValueError(
            f"{owner} fits its estimator {fit}, which a FrozenEstimator{where}, "
            f"never refitted, does not {lost}; pass the unfitted model."
        )
