"""Tests of LongTailClassifier saved, loaded, resumed and re-parametrised."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")


from ltlearn.deep import LongTailClassifier  # noqa: E402

FAST = dict(batch_size=32, module__hidden_sizes=(8,), random_state=0)


def _loaded(clf, tmp_path, **params):
    """A new classifier built with ``initialize()``, then ``clf``'s files loaded."""
    files = dict(
        f_params=tmp_path / "params.pt",
        f_optimizer=tmp_path / "optimizer.pt",
        f_criterion=tmp_path / "criterion.pt",
        f_history=tmp_path / "history.json",
    )
    clf.save_params(**files)
    new = LongTailClassifier(
        module__n_features=clf.n_features_in_, classes=clf.classes_, **params
    ).initialize()
    new.load_params(**files)
    return new


def test_partial_fit_trains_a_loaded_network_further(imbalanced_multiclass, tmp_path):
    # skorch's recipe: initialize(), load_params, partial_fit goes on from the
    # loaded weights and history (it re-initialised them).
    X, y = imbalanced_multiclass
    clf = LongTailClassifier(max_epochs=2, **FAST).fit(X, y)
    new = _loaded(clf, tmp_path, max_epochs=0, **FAST)
    new.partial_fit(X, y)
    np.testing.assert_array_equal(new.predict_proba(X), clf.predict_proba(X))
    assert len(new.history) == 2
    new.set_params(max_epochs=1).partial_fit(X, y)
    assert len(new.history) == 3
    np.testing.assert_array_equal(new.class_counts_, np.bincount(y) * 2)
