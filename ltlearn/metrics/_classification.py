"""Metrics for long-tailed and imbalanced classification."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from numbers import Integral, Real

import numpy as np
from scipy.stats import gmean
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.multiclass import unique_labels
from sklearn.utils.validation import column_or_1d

from ltlearn.metrics._label_checks import (
    _check_labels_match,
    _check_scored,
    _check_train_labels,
    _check_y_train,
)
from ltlearn.metrics._string_labels import (
    _string_classes,
    _string_label_codes,
)
from ltlearn.utils._docstring import _shot_thresholds_docstring, _Substitution
from ltlearn.utils._validation import (
    check_classes,
    class_counts,
    summable_weights,
)
from ltlearn.utils._warnings import external_stacklevel

# The many-/few-shot thresholds of shot_accuracy and make_shot_scorer.
_SHOT_THRESHOLD_CONSTRAINTS = {
    "many_threshold": [Interval(Integral, 1, None, closed="left")],
    "few_threshold": [Interval(Integral, 1, None, closed="left")],
}


def _label_positions(y, labels):
    """The position in ``labels`` of each label of ``y``, and which are there.

    ``labels`` may be in any order; the position of a label of ``y`` that is
    not in ``labels`` is meaningless, and ``known`` False.
    """
    sorter = np.argsort(labels)
    position = np.searchsorted(labels, y, sorter=sorter).clip(max=labels.size - 1)
    codes = sorter[position]
    return codes, labels[codes] == y


def _weighted_supports(y_true, labels, sample_weight):
    """The total weight of the samples of each of ``labels`` in ``y_true``.

    Summed as given: a total beyond the largest float is inf, where
    scikit-learn's support of a class of inf true positives is NaN (inf
    minus inf).
    """
    codes, known = _label_positions(y_true, labels)
    return np.bincount(
        codes[known], weights=sample_weight[known], minlength=labels.size
    )


def _per_class_recall(y_true, y_pred, labels, sample_weight=None):
    """Recall of each of ``labels``; NaN for a label without (weighted) samples.

    With ``sample_weight`` a sample counts as its weight (weights whose sum
    overflows are scaled, see ``summable_weights``). ``labels`` may be in any
    order; samples of other labels are ignored.
    """
    y_true, y_pred, labels = np.asarray(y_true), np.asarray(y_pred), np.asarray(labels)
    codes, known = _label_positions(y_true, labels)
    hit = known & (y_pred == y_true)
    weight = None
    if sample_weight is not None:  # a recall is a ratio of sums of weights
        weight = summable_weights(np.asarray(sample_weight, dtype=float))
    n_true = np.bincount(
        codes[known],
        weights=None if weight is None else weight[known],
        minlength=labels.size,
    )
    tp = np.bincount(
        codes[hit],
        weights=None if weight is None else weight[hit],
        minlength=labels.size,
    )
    return np.divide(tp, n_true, out=np.full(labels.size, np.nan), where=n_true > 0)


def _text_cell(column, value, digits):
    """A cell of ``imbalance_report``'s text: floats with ``digits`` decimals.

    A weighted support is written in exponent notation from 1e16, whose
    decimals would print digits that a float does not hold (300 of them for
    1e300), and when it is so small that it would round to zero (0.5 at
    ``digits=0``, which rounds to even).
    """
    if isinstance(value, int):
        return f"{value:d}"
    if column == "support" and (
        value >= 1e16 or 0 < value and not round(value, digits)
    ):
        return f"{value:.{digits}e}"
    return f"{value:.{digits}f}"


def _check_shot_thresholds(many_threshold, few_threshold):
    if few_threshold > many_threshold:
        raise ValueError(
            f"few_threshold={few_threshold} must not exceed "
            f"many_threshold={many_threshold}."
        )


@validate_params(
    {
        "y_true": ["array-like"],
        "y_pred": ["array-like"],
        "y_train": ["array-like"],
        **_SHOT_THRESHOLD_CONSTRAINTS,
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
@_Substitution(shot_thresholds=_shot_thresholds_docstring)
def shot_accuracy(
    y_true,
    y_pred,
    *,
    y_train,
    many_threshold=100,
    few_threshold=20,
    sample_weight=None,
):
    """Accuracy on the many-shot, medium-shot and few-shot classes.

    A class is *many-shot* when it has more than ``many_threshold`` training
    samples, *few-shot* when it has fewer than ``few_threshold``, and
    *medium-shot* otherwise. The accuracy of a group is the mean of the
    per-class recalls of its classes (macro, not pooled), as in the
    long-tailed recognition literature.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels of the evaluation set.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    y_train : array-like of shape (n_train_samples,)
        Training labels; they define each class's group.
    {shot_thresholds}
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the evaluation samples: a class's recall is the weight of
        its correctly predicted samples over the weight of its samples. A
        class whose samples all have weight 0 does not count.

    Returns
    -------
    scores : dict
        ``{{"many": float, "medium": float, "few": float}}``. A group without a
        class that occurs in ``y_true`` scores NaN, with an
        :class:`~sklearn.exceptions.UndefinedMetricWarning`.

    References
    ----------
    .. [1] Z. Liu, Z. Miao, X. Zhan, J. Wang, B. Gong and S. X. Yu,
       "Large-Scale Long-Tailed Recognition in an Open World", CVPR 2019.

    Examples
    --------
    >>> from ltlearn.metrics import shot_accuracy
    >>> y_train = [0] * 150 + [1] * 50 + [2] * 5
    >>> shot_accuracy([0, 0, 1, 1, 2, 2], [0, 0, 1, 0, 2, 0], y_train=y_train)
    {{'many': 1.0, 'medium': 0.5, 'few': 0.5}}
    """
    return _shot_accuracy(
        y_true,
        y_pred,
        y_train=y_train,
        many_threshold=many_threshold,
        few_threshold=few_threshold,
        sample_weight=sample_weight,
    )


def _shot_accuracy(
    y_true,
    y_pred,
    *,
    y_train,
    many_threshold,
    few_threshold,
    sample_weight=None,
    groups=("many", "medium", "few"),
):
    """The accuracies of :func:`shot_accuracy`, of the named ``groups`` only.

    An empty group warns only when it is one of ``groups``: a scorer of the
    few-shot accuracy has nothing to say of the many-shot classes.
    """
    _check_shot_thresholds(many_threshold, few_threshold)
    y_true, y_pred, sample_weight = _check_scored(
        y_true, y_pred, y_train, sample_weight
    )
    if _string_classes(y_true, y_pred) is None:
        unique_labels(y_true, y_pred)  # refuses mixed labels
    y_train = _check_y_train(y_train)
    codes = _string_label_codes(y_true, y_pred, y_train)
    if codes is None:
        unique_labels(y_true, y_train)  # and training labels of another type
        labels, counts = _check_train_labels(y_true, y_train)
        scored_true, scored_pred = y_true, y_pred
    else:  # strings, scored by their codes
        scored_true, scored_pred, train_codes = codes
        labels, counts = np.unique(train_codes, return_counts=True)
        if np.setdiff1d(scored_true, labels).size:
            _check_train_labels(y_true, y_train)  # refuses them by name
    recall = _per_class_recall(scored_true, scored_pred, labels, sample_weight)
    masks = {
        "many": counts > many_threshold,
        "medium": (counts >= few_threshold) & (counts <= many_threshold),
        "few": counts < few_threshold,
    }
    definitions = {
        "many": f"more than many_threshold={many_threshold}",
        "medium": f"from few_threshold={few_threshold} to "
        f"many_threshold={many_threshold}",
        "few": f"fewer than few_threshold={few_threshold}",
    }
    scores = {}
    for group in groups:
        values = recall[masks[group] & ~np.isnan(recall)]
        if values.size == 0:
            # a class of the group may occur in y_true with weight 0 only
            occurs = np.isin(labels[masks[group]], scored_true).any()
            where = "has a sample of nonzero weight" if occurs else "occurs"
            warnings.warn(
                f"No {group}-shot class ({definitions[group]} samples in "
                f"y_train) {where} in y_true; its accuracy is NaN.",
                UndefinedMetricWarning,
                stacklevel=external_stacklevel(),
            )
            scores[group] = float("nan")
        else:
            scores[group] = float(values.mean())
    return scores


@validate_params(
    {
        "acc_long_tailed": [Interval(Real, 0, 1, closed="both")],
        "acc_vanilla_balanced": [Interval(Real, 0, 1, closed="right")],
        "acc_method_balanced": [Interval(Real, 0, 1, closed="right")],
    },
    prefer_skip_nested_validation=True,
)
def relative_accuracy(acc_long_tailed, acc_vanilla_balanced, acc_method_balanced):
    """Accuracy relative to the upper reference accuracy of a balanced training set.

    With ``A_t`` the accuracy of a method trained on the long-tailed set,
    ``A_v`` that of the same backbone trained with plain cross-entropy on a
    balanced training set of about the same size, and ``A_b`` that of the
    method itself trained on that balanced set, the relative accuracy is
    ``A_t / max(A_v, A_b)``. It discounts gains that do not come from handling
    the imbalance.

    Parameters
    ----------
    acc_long_tailed : float in [0, 1]
        ``A_t``, the method's accuracy after long-tailed training.
    acc_vanilla_balanced : float in (0, 1]
        ``A_v``, plain training on the balanced counterpart.
    acc_method_balanced : float in (0, 1]
        ``A_b``, the method trained on the balanced counterpart.

    Returns
    -------
    score : float
        ``A_t / max(A_v, A_b)``.

    References
    ----------
    .. [1] Y. Zhang, B. Kang, B. Hooi, S. Yan and J. Feng, "Deep Long-Tailed
       Learning: A Survey", IEEE TPAMI 2023, section 4.1.

    Examples
    --------
    >>> from ltlearn.metrics import relative_accuracy
    >>> round(relative_accuracy(0.455, 0.573, 0.55), 3)
    0.794
    """
    # in float64 whatever the type each accuracy comes in: a NumPy float32 or
    # float16 would make the division in its own precision
    accuracies = [
        float(acc)
        for acc in (acc_long_tailed, acc_vanilla_balanced, acc_method_balanced)
    ]
    return accuracies[0] / max(accuracies[1:])


def _checked_report_labels(labels):
    """``labels`` of :func:`imbalance_report` as an array; refuse bad lists."""
    labels = np.asarray(check_classes(labels, "labels"))
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(
            f"labels must list at least one class, as a 1-d array; got "
            f"shape {labels.shape}."
        )
    try:
        unique, counts = np.unique(labels, return_counts=True)
    except TypeError:  # an object array of strings and numbers (or None)
        raise ValueError(
            f"labels mixes types that do not sort together: {labels.tolist()!r}; "
            "class labels are all strings or all numbers."
        ) from None
    if unique.size < labels.size:
        repeated = unique[counts > 1].tolist()
        raise ValueError(
            f"labels lists {repeated!r} more than once; each class is one "
            "row of the report and counts once in its aggregates."
        )
    return labels


def _checked_target_names(target_names, labels):
    """``target_names`` as strings, one per class of ``labels``, all distinct."""
    check_classes(target_names, "target_names")
    target_names = [str(name) for name in column_or_1d(target_names)]
    if len(target_names) != len(labels):
        raise ValueError(
            f"target_names has {len(target_names)} names for "
            f"{len(labels)} classes ({np.asarray(labels).tolist()!r}); give "
            "one name per class, in the order of labels."
        )
    if len(set(target_names)) < len(target_names):
        raise ValueError(
            f"target_names repeats a name: {target_names!r}; each row of "
            "the report needs its own."
        )
    return target_names


def _report_text(rows, aggregates, digits):
    """The text of :func:`imbalance_report`: a row per class, then the totals."""
    columns = list(next(iter(rows.values())).keys())
    width = max(len("class"), *(len(str(label)) for label in rows))
    cells = {
        label: [_text_cell(column, v, digits) for column, v in row.items()]
        for label, row in rows.items()
    }
    totals = {name: f"{value:.{digits}f}" for name, value in aggregates.items()}
    # Every column as wide as its widest cell (11 at least), so that a cell in
    # exponent notation or with many digits keeps the columns aligned.
    cell_width = max(
        11,
        *(len(cell) for row in cells.values() for cell in row),
        *map(len, totals.values()),
    )
    lines = [f"{'class':>{width}} " + " ".join(f"{c:>{cell_width}}" for c in columns)]
    for label, row in cells.items():
        lines.append(
            f"{str(label):>{width}} " + " ".join(f"{c:>{cell_width}}" for c in row)
        )
    lines.append("")
    for name, value in totals.items():
        lines.append(f"{name:>{width + 1 + cell_width}} {value:>{cell_width}}")
    return "\n".join(lines)


def _aggregates(y_true, y_pred, labels, labels_given, scores, sample_weight):
    """Balanced accuracy, G-mean and macro-F1 of :func:`imbalance_report`.

    ``scores`` are the recall, the F1 and the support of each of ``labels``,
    the classes reported. Given ``labels``, the macro recall, G-mean and
    macro-F1 over them; otherwise the scores of
    :func:`~sklearn.metrics.balanced_accuracy_score`,
    :func:`~imblearn.metrics.geometric_mean_score` and
    :func:`~sklearn.metrics.f1_score` of the classes of ``y_true`` and
    ``y_pred``, computed as they compute them but without their warnings of
    a class without a true or a predicted sample: a filter silencing them
    is the process's, and set by several threads at once it can stay for
    good. The macro averages are the means of the per-class scores, as
    :func:`~sklearn.metrics.recall_score` and
    :func:`~sklearn.metrics.f1_score` average them, without counting the
    labels again.
    """
    recall, f1, support = scores
    if labels_given:
        balanced = np.mean(recall)
    else:
        present = np.isin(labels, unique_labels(y_true, y_pred))
        if sample_weight is None or np.count_nonzero(present) == 1:
            # the mean recall of the classes of y_true, without the
            # n_classes ** 2 confusion matrix (1 GB for 8000 classes), or
            # the 1 x 1 one, of which confusion_matrix warns
            balanced = np.mean(recall[support > 0])
        else:  # balanced_accuracy_score's sums of the weights, in its order
            matrix = confusion_matrix(y_true, y_pred, sample_weight=sample_weight)
            with np.errstate(divide="ignore", invalid="ignore"):
                per_class = np.diag(matrix) / matrix.sum(axis=1)
            balanced = np.mean(per_class[~np.isnan(per_class)])
        # the labels are sorted, as f1_score sorts those it averages
        recall, f1 = recall[present], f1[present]
    with np.errstate(divide="ignore"):  # the log of a recall of 0
        geometric_mean = gmean(recall)
    return {
        "balanced_accuracy": float(balanced),
        "geometric_mean": float(geometric_mean),
        "macro_f1": float(np.mean(f1)),
    }


@validate_params(
    {
        "y_true": ["array-like"],
        "y_pred": ["array-like"],
        "y_train": ["array-like", None],
        "labels": ["array-like", None],
        "digits": [Interval(Integral, 0, None, closed="left")],
        "output_dict": ["boolean"],
        "sample_weight": ["array-like", None],
        "target_names": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def imbalance_report(
    y_true,
    y_pred,
    *,
    y_train=None,
    labels=None,
    digits=3,
    output_dict=False,
    sample_weight=None,
    target_names=None,
):
    """Per-class report with training counts and balanced aggregates.

    For each class: its training count (when ``y_train`` is given), support in
    ``y_true``, precision, recall and F1; then balanced accuracy, G-mean and
    macro-F1: scikit-learn's and imbalanced-learn's scores of ``y_true`` and
    ``y_pred`` (the classes of ``y_train`` do not change them) or, when
    ``labels`` is given, the macro recall, G-mean and macro-F1 over
    ``labels``. Classes are listed from the most to the least frequent in
    training (by support when ``y_train`` is absent). A precision, recall or
    F1 without a predicted or a true sample of its class (a class only in
    ``y_train`` or ``labels``) is 0, without a warning.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    y_train : array-like of shape (n_train_samples,), default=None
        Training labels, for the training count of each class.
    labels : array-like of shape (n_classes,), default=None
        Classes to report; by default those of ``y_true``, ``y_pred`` and
        ``y_train``.
    digits : int, default=3
        Digits of the floats in the text report.
    output_dict : bool, default=False
        Return a dict instead of text.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the samples of ``y_true``, as in
        :func:`sklearn.metrics.classification_report`: the support of a
        class is then its total weight, and every score weighs the samples
        (weights whose sum overflows are scaled for the scores, which depend
        on their ratios only). The training counts are not weighted.
    target_names : array-like of str of shape (n_classes,), default=None
        Display names of the classes, in the order of ``labels`` (by default,
        of the sorted classes of ``y_true``, ``y_pred`` and ``y_train``), as
        in :func:`sklearn.metrics.classification_report` and
        :func:`imblearn.metrics.classification_report_imbalanced`: they name
        the rows of the text report and key the classes of the dict.

        .. versionadded:: 0.1

    Returns
    -------
    report : str or dict
        The text table, or ``{"classes": {label: {...}}, "balanced_accuracy":
        ..., "geometric_mean": ..., "macro_f1": ...}``.

    Examples
    --------
    >>> from ltlearn.metrics import imbalance_report
    >>> y_train = [0] * 8 + [1] * 2
    >>> report = imbalance_report([0, 0, 1, 1], [0, 1, 1, 0], y_train=y_train,
    ...                           output_dict=True)
    >>> report["classes"][1]["train_count"], report["balanced_accuracy"]
    (2, 0.5)
    >>> print(imbalance_report([0, 0, 1, 1], [0, 1, 1, 0], y_train=y_train,
    ...                        target_names=["healthy", "ill"], digits=2))
      class train_count     support   precision      recall          f1
    healthy           8           2        0.50        0.50        0.50
        ill           2           2        0.50        0.50        0.50
    <BLANKLINE>
      balanced_accuracy        0.50
         geometric_mean        0.50
               macro_f1        0.50
    """
    y_true, y_pred, sample_weight = _check_scored(
        y_true, y_pred, y_train, sample_weight
    )
    # the aggregates over the given labels, else over y_true and y_pred only
    labels_given = labels is not None
    if y_train is not None:
        y_train = _check_y_train(y_train)
    parts = [y_true, y_pred] + ([] if y_train is None else [y_train])
    # refuses a mix of strings and numbers, also in y_train when labels are
    # given
    found = _string_classes(*parts)
    if found is None:
        found = unique_labels(*parts)
    by_text = False  # labels of another type than the classes
    if labels is None:
        labels = found
    else:
        labels = _checked_report_labels(labels)
        by_text = _check_labels_match(labels, found, y_train is not None)
    if target_names is not None:
        target_names = _checked_target_names(target_names, labels)
    if y_train is not None:
        # matched as scikit-learn's scores match them: "1" counts the class 1
        train_count = (
            class_counts(y_train.astype(str), labels.astype(str))
            if by_text
            else class_counts(y_train, labels)
        )
    else:
        train_count = None
    # The scores of string labels from their codes: each score sorts its
    # inputs again, which for Python strings takes seconds a million labels.
    scored = None if by_text else _string_label_codes(y_true, y_pred, labels)
    if scored is None:
        scored = y_true, y_pred, labels
    scored_true, scored_pred, scored_labels = scored
    # the scores depend on the ratios of the weights only: weights whose sums
    # overflow (1e308 each) are scaled, else the scores are NaN or wrong
    score_weight = summable_weights(sample_weight)
    precision, recall, f1, support = precision_recall_fscore_support(
        scored_true,
        scored_pred,
        labels=scored_labels,
        zero_division=0.0,
        sample_weight=score_weight,
    )
    aggregates = _aggregates(
        scored_true,
        scored_pred,
        scored_labels,
        labels_given,
        (recall, f1, support),
        score_weight,
    )
    if score_weight is not sample_weight:  # the supports of the given weights
        # matched as the scores match them: "1" is the class 1
        support = (
            _weighted_supports(
                scored_true.astype(str), scored_labels.astype(str), sample_weight
            )
            if by_text
            else _weighted_supports(scored_true, scored_labels, sample_weight)
        )
    order = np.argsort(
        -(train_count if train_count is not None else support), kind="stable"
    )
    rows = {}
    for i in order:
        row = {
            "support": int(support[i]) if sample_weight is None else float(support[i]),
            "precision": float(precision[i]),
            "recall": float(recall[i]),
            "f1": float(f1[i]),
        }
        if train_count is not None:
            row = {"train_count": int(train_count[i]), **row}
        if target_names is not None:
            rows[target_names[i]] = row
        else:
            rows[labels[i].item() if hasattr(labels[i], "item") else labels[i]] = row
    if output_dict:
        return {"classes": rows, **aggregates}

    return _report_text(rows, aggregates, digits)
