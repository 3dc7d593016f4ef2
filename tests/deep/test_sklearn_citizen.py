"""LongTailClassifier inside scikit-learn's tools: repr, failed fits."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import re

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils import estimator_html_repr  # noqa: E402
from sklearn.utils.validation import check_is_fitted  # noqa: E402

from ltlearn.deep import LongTailClassifier  # noqa: E402

FAST = dict(max_epochs=3, batch_size=32, module__hidden_sizes=(8,), random_state=0)


@pytest.fixture
def data(imbalanced_multiclass):
    """400 rows, 6 features, 4 classes (conftest)."""
    return imbalanced_multiclass


def _is_fitted(clf):
    try:
        check_is_fitted(clf)
    except NotFittedError:
        return False
    return True


def _user_set_html_params(estimator):
    """Names of the parameters that the HTML repr marks as set by the user."""
    rows = re.findall(
        r'<tr class="(user-set|default)">.*?copyToClipboard\(\'([^\']+)\'',
        estimator_html_repr(estimator),
        re.S,
    )
    return [name for kind, name in rows if kind == "user-set"]


def test_repr_lists_the_parameters_set_as_scikit_learns(data):
    # skorch's repr printed "<class ...>[uninitialized](module=MLP)", and in
    # a Pipeline scikit-learn's listed callbacks=None, classes=None, ... as set.
    clf = LongTailClassifier(lr=0.01)
    assert repr(clf) == "LongTailClassifier(lr=0.01)"
    assert repr(LongTailClassifier()) == "LongTailClassifier()"
    pipe = make_pipeline(StandardScaler(), clf)
    assert "('longtailclassifier', LongTailClassifier(lr=0.01))" in repr(pipe)
    grid = GridSearchCV(clf, {"max_epochs": [1, 2]})
    assert "estimator=LongTailClassifier(lr=0.01)" in repr(grid)
    set_params = dict(warm_start=True, classes=[0, 1, 2], callbacks=[])
    assert repr(LongTailClassifier(**set_params)) == (
        "LongTailClassifier(callbacks=[], classes=[0, 1, 2], warm_start=True)"
    )
    html = _user_set_html_params(pipe)
    assert "lr" in html
    assert not {"callbacks", "classes", "compile", "dataset"} & set(html)
    # Fitted, the repr is the same, as scikit-learn's.
    X, y = data
    fitted = LongTailClassifier(**FAST).fit(X, y)
    assert repr(fitted) == repr(LongTailClassifier(**FAST))
    assert repr(fitted).startswith("LongTailClassifier(batch_size=32,")


def test_the_parameters_named_for_the_repr_are_skorchs(data):
    # Named in the signature, the parameters of skorch keep their values,
    # their routing to skorch and clone.
    clf = LongTailClassifier(warm_start=True, callbacks=[], use_caching=False)
    params = clf.get_params(deep=False)
    assert params["warm_start"] is True and params["use_caching"] is False
    assert params["callbacks"] == [] and params["compile"] is False
    assert clone(clf).get_params(deep=False).keys() == params.keys()
    clf.set_params(**params)
    assert clf.get_params(deep=False) == params


def test_set_params_takes_any_callbacks_and_fit_refuses_invalid_ones(data):
    # Named in the signature, callbacks met scikit-learn's check that
    # set_params does not raise: skorch's built them there, and raised.
    X, y = data
    clf = LongTailClassifier(**FAST)
    for value in [-1, "helloworld", [1]]:
        clf.set_params(callbacks=value)
        assert clf.get_params(deep=False)["callbacks"] is value
    with pytest.raises((ValueError, AttributeError)):
        clf.fit(X, y)
    clf.set_params(callbacks="helloworld")
    with pytest.raises(ValueError, match="callbacks"):
        clf.fit(X, y)
    assert _is_fitted(clf.set_params(callbacks=[]).fit(X, y))
