"""Aggregate the rows of a comparison: scores, ranks and per-class recall."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import json
import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from ltlearn._compare._stats import _DECIMALS

_SCORING_TITLES = {
    "balanced_accuracy": "balanced accuracy",
    "geometric_mean": "G-mean",
    "macro_f1": "macro-F1",
    "few_shot_accuracy": "few-shot accuracy",
}


def _class_recall(row):
    """``(train_count, recall)`` of a row; NaN for a class not in the test fold."""
    per_class = json.loads(row["class_recall"])
    recall = [np.nan if r is None else r for r in per_class["recall"]]
    return per_class["train_count"], recall


def _few_shot(row, few_threshold):
    """Mean recall of the classes with fewer than ``few_threshold`` training rows.

    The same rule as :func:`ltlearn.metrics.shot_accuracy` on the fold: macro
    over the few-shot classes present in the test fold; NaN when there is none.
    """
    if not row["class_recall"]:
        return math.nan
    train_count, recall = _class_recall(row)
    values = [
        r
        for count, r in zip(train_count, recall)
        if count < few_threshold and not math.isnan(r)
    ]
    return float(np.mean(values)) if values else math.nan


def _nanmean(values):
    values = [v for v in values if v is not None and not math.isnan(v)]
    return float(np.mean(values)) if values else math.nan


def _wins(ranks, method):
    """The number of rank dicts (one per data set) where ``method`` is best."""
    return sum(method in r and r[method] == min(r.values()) for r in ranks)


@dataclass
class Summary:
    """Scores per (data set, method), ranks, and per-class recall."""

    scoring: str
    datasets: list
    methods: list
    mean: dict  # (dataset, method) -> mean over folds
    std: dict  # (dataset, method) -> standard deviation over folds
    fit_time: dict  # (dataset, method) -> mean fit seconds
    ranks: dict  # dataset -> {method: rank}, 1 is best
    per_class: dict  # (dataset, method) -> (train_count, recall) arrays
    errors: list  # rows whose fit failed
    unscored: list  # data sets without a finite score (e.g. no few-shot class)
    few_threshold: int = 20  # few-shot: a class with fewer training rows
    groups: dict = field(default_factory=dict)  # dataset -> its --groups column
    warned: list = field(default_factory=list)  # rows of fits that raised warnings

    def defined(self):
        """What the score is, for few-shot accuracy (``""`` for the others)."""
        if self.scoring != "few_shot_accuracy":
            return ""
        return (
            f" (mean recall of the classes of fewer than {self.few_threshold} "
            "training rows)"
        )

    def _over_datasets(self, values, method):
        return [values.get((d, method), math.nan) for d in self.datasets]

    def method_table(self):
        """One row per method, best mean rank first."""
        table = []
        for method in self.methods:
            ranks = [
                self.ranks[d][method] for d in self.datasets if method in self.ranks[d]
            ]
            table.append(
                {
                    "method": method,
                    "mean": _nanmean(self._over_datasets(self.mean, method)),
                    "fold_sd": _nanmean(self._over_datasets(self.std, method)),
                    "mean_rank": _nanmean(ranks),
                    "wins": _wins([self.ranks[d] for d in self.datasets], method),
                    "datasets": len(ranks),
                    "fit_time": _nanmean(self._over_datasets(self.fit_time, method)),
                }
            )
        table.sort(
            key=lambda r: (
                math.inf if math.isnan(r["mean_rank"]) else r["mean_rank"],
                r["method"],
            )
        )
        return table


def _collect(rows, scoring, few_threshold):
    """Per (data set, method): fold scores, fit times and per-class recalls."""
    scores, times, recalls, errors = {}, {}, {}, []
    # Fold order, whatever order the fits finished in: the same sums, the same
    # ties.
    for row in sorted(rows, key=lambda r: (r["dataset"], r["method"], r["fold"])):
        if row["status"] != "ok":
            errors.append(row)
            continue
        key = (row["dataset"], row["method"])
        if scoring == "few_shot_accuracy":
            score = _few_shot(row, few_threshold)
        else:
            score = row[scoring]
        scores.setdefault(key, []).append(score)
        times.setdefault(key, []).append(row["fit_time"])
        if row["class_recall"]:
            recalls.setdefault(key, []).append(_class_recall(row))
    return scores, times, recalls, errors


def _over_folds(scores, times, recalls):
    """Mean and standard deviation over the folds, the mean fit time and recall."""
    mean, std, fit_time, per_class = {}, {}, {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for key, values in scores.items():
            values = np.asarray(values, dtype=float)
            finite = values[~np.isnan(values)]
            mean[key] = float(finite.mean()) if finite.size else math.nan
            std[key] = float(finite.std()) if finite.size else math.nan
            fit_time[key] = float(np.nanmean(times[key]))
        for key, folds in recalls.items():
            counts = np.mean([np.asarray(c, dtype=float) for c, _ in folds], axis=0)
            recall = np.nanmean([np.asarray(r, dtype=float) for _, r in folds], axis=0)
            per_class[key] = (counts, recall)
    return mean, std, fit_time, per_class


def _rank_per_dataset(datasets, methods, mean):
    """``{data set: {method: rank}}`` over the scored methods, and the unscored."""
    from scipy.stats import rankdata

    ranks, unscored = {}, []
    for dataset in datasets:
        present = [
            m for m in methods if not math.isnan(mean.get((dataset, m), math.nan))
        ]
        if not present:
            unscored.append(dataset)
            ranks[dataset] = {}
            continue
        # Methods equal up to rounding error tie (threshold-moving, logit
        # adjustment and the plug-in rule coincide on binary data).
        values = rankdata(
            [-round(mean[(dataset, m)], _DECIMALS) for m in present], method="average"
        )
        ranks[dataset] = {m: float(r) for m, r in zip(present, values)}
    return ranks, unscored


def summarize(comparison, *, scoring=None, few_threshold=20):
    """Aggregate the rows of a comparison.

    Parameters
    ----------
    comparison : Comparison
        What :func:`~ltlearn._compare._runner.run_comparison` returned.
    scoring : str, default=None
        The score to aggregate; by default the run's.
    few_threshold : int, default=20
        For few-shot accuracy: a class with fewer training rows is few-shot.

    Returns
    -------
    summary : Summary
    """
    scoring = scoring or comparison.config["scoring"]
    datasets = [info["name"] for info in comparison.datasets]
    methods = list(comparison.methods)
    scores, times, recalls, errors = _collect(comparison.rows, scoring, few_threshold)
    mean, std, fit_time, per_class = _over_folds(scores, times, recalls)
    ranks, unscored = _rank_per_dataset(datasets, methods, mean)
    return Summary(
        scoring,
        datasets,
        methods,
        mean,
        std,
        fit_time,
        ranks,
        per_class,
        errors,
        unscored,
        few_threshold,
        {
            info["name"]: info["groups"]
            for info in comparison.datasets
            if info.get("groups") is not None
        },
        [r for r in comparison.rows if r["status"] == "ok" and r.get("warnings")],
    )
