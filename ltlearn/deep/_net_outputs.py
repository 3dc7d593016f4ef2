"""LongTailClassifier's outputs: probabilities, features and their checks.

The softmax and the outputs of lower precision cast to float32, the batches
stacked into one array, and the checks that the module gives one output per
class and has the ``features`` method that ``transform`` reads.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import torch
from torch import nn

from ltlearn.deep._loss_base import _uncompiled
from ltlearn.deep._step_errors import _n_outputs_message


def _at_least_float32(output):
    """A floating tensor of lower precision than float32 cast to float32.

    Outputs of a network run under the caller's ``torch.autocast`` (bfloat16
    or float16) give float32 probabilities, as
    :meth:`LongTailClassifier.transform` gives float32 features: NumPy has no
    bfloat16, and float16 probabilities sum to one only to three digits.
    Anything else is returned as it is.
    """
    if torch.is_tensor(output) and output.is_floating_point():
        return output.to(torch.promote_types(output.dtype, torch.float32))
    return output


def _first_output(output):
    """The first output of a module returning a tuple, as skorch's ``predict_proba``.

    Anything else is returned as it is.
    """
    return output[0] if isinstance(output, tuple) else output


def _softmax(logits, scale=1.0):
    """Softmax over the last axis of ``scale * logits``, in float32 at least."""
    logits = _at_least_float32(logits)
    if scale != 1.0:
        logits = logits * scale
    return torch.softmax(logits, dim=-1)


# The options of iterator_valid that leave rows of X out of the batches, or
# draw some more than once.
_LEAVING_OUT = {
    "drop_last": "iterator_valid__drop_last=True drops the last incomplete batch",
    "sampler": "iterator_valid__sampler draws the rows",
    "batch_sampler": "iterator_valid__batch_sampler draws the rows",
}


def _stack_batches(batches, n_rows, net=None):
    """The arrays of ``batches`` stacked, as ``np.concatenate`` would.

    Each batch is written into one array of ``n_rows`` rows as it comes, so
    that the outputs are not held twice (a list of batches, then their
    concatenation): 1.5 GB for 200,000 rows of 1,000 float32 classes.
    The refusal of batches that do not hold ``n_rows`` rows names the
    ``iterator_valid`` options of ``net`` that draw the rows (read only
    then, off the path of every call).
    """
    out, start = None, 0
    for batch in batches:
        if out is None:
            out = np.empty((n_rows, *batch.shape[1:]), dtype=batch.dtype)
        if start + len(batch) > n_rows:
            # It was numpy's "could not broadcast input array from shape ..."
            _refuse_rows(f"more than {n_rows} rows", net)
        out[start : start + len(batch)] = batch
        start += len(batch)
    if out is None:  # no batch: concatenate's error
        return np.concatenate([], axis=0)
    if start != n_rows:
        _refuse_rows(f"{start} rows, not {n_rows}", net)
    return out


def _refuse_rows(held, net):
    """Refuse evaluation batches that hold ``held``, naming what draws them."""
    options = {} if net is None else net.get_params_for("iterator_valid")
    causes = [why for key, why in _LEAVING_OUT.items() if options.get(key)]
    raise RuntimeError(
        f"The batches hold {held}: the evaluation batches (iterator_valid) "
        "must hold every row of X once" + "".join(f"; {why}" for why in causes) + "."
    )


class _OutputsMixin:
    """The output checks of :class:`LongTailClassifier`.

    Mixed into the classifier; ``predict_proba``, ``transform`` and
    ``get_feature_names_out`` call these.
    """

    def _checked_nonlinearity(self):
        """``predict_nonlinearity``, refused unless callable, ``"auto"`` or None.

        As skorch's ``predict_proba``: one set after the fit (``set_params``,
        or ``initialize()`` then ``load_params``) is not validated by it.
        """
        nonlinearity = self.predict_nonlinearity
        auto = isinstance(nonlinearity, str) and nonlinearity == "auto"
        if not (auto or nonlinearity is None or callable(nonlinearity)):
            raise TypeError(
                "predict_nonlinearity has to be a callable, 'auto' or None, got "
                f"{nonlinearity!r}."
            )
        return nonlinearity

    def _auto_logit_scale(self):
        """The logit scale of ``predict_nonlinearity="auto"``'s softmax.

        The loss's ``logit_scale`` (one if it has none), or None with
        ``torch.nn.NLLLoss``, whose module gives the probabilities. After
        ``trim_for_prediction``, which drops the loss, the value read
        before.
        """
        criterion = self.criterion_
        if criterion is None and "_trimmed_logit_scale_" in vars(self):
            return self._trimmed_logit_scale_
        if isinstance(_uncompiled(criterion), nn.NLLLoss):
            return None
        return float(getattr(criterion, "logit_scale", 1.0))

    def trim_for_prediction(self):
        """Drop what only training needs, as skorch's ``trim_for_prediction``.

        The loss, the optimiser, the callbacks and the history are dropped;
        ``predict_proba`` gives the probabilities it gave before (the
        softmax of ``predict_nonlinearity="auto"`` keeps the loss's logit
        scale, and the identity with ``torch.nn.NLLLoss``), and ``fit`` and
        ``partial_fit`` raise skorch's ``SkorchTrainingImpossibleError``.

        Returns
        -------
        None
        """
        if "_trimmed_logit_scale_" not in vars(self):  # not trimmed yet
            self.check_is_fitted()
            self._trimmed_logit_scale_ = self._auto_logit_scale()
        super().trim_for_prediction()

    def _check_n_outputs(self, proba):
        """Refuse a module without one output per class of ``classes_``."""
        n_classes = len(self.classes_)
        if proba.ndim != 2 or proba.shape[1] != n_classes:
            raise ValueError(
                _n_outputs_message(proba.shape[1:], type(self).__name__, n_classes)
            )

    def _features_method(self):
        features = getattr(self.module_, "features", None)
        if not callable(features):
            raise AttributeError(
                f"{type(self).__name__}.transform needs a module with a "
                f"features(x) method returning the penultimate layer; "
                f"{type(_uncompiled(self.module_)).__name__} has none."
            )
        return features
