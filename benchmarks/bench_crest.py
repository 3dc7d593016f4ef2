"""CReST and CReST+ against scikit-learn's self-training on long-tailed digits.

Settings: digits-LT (``ltlearn.datasets.load_digits_lt``) at imbalance 10 and
50; 10% or 30% of the training rows labelled, drawn at random within each
class (``ceil(fraction * n_c)`` rows of class c, so that the rarest class keeps
one labelled row, as the official CReST code does), the rest unlabelled: the
labelled and unlabelled parts are both long-tailed. Base models: logistic
regression and a small MLP (64 hidden units, L2 penalty 0.1, Adam at 0.01, at
most 200 epochs). Methods, all on the same base and split:

- ``supervised``: the base fitted on the labelled rows only;
- ``self-training``: ``SelfTrainingClassifier(base)`` with its defaults
  (threshold 0.75, max_iter 10);
- ``CReST`` and ``CReST+``: ``CReSTClassifier(base)`` with its defaults (6
  generations, alpha 1/3), without and with distribution alignment.

Scores on the balanced test split (50 images per digit): balanced accuracy and
the recall of the minority class (digit 9, the rarest training class), mean
(std) over the seeds; ``fit s`` is the mean fit time. The seed sets the
long-tailed subsample, the labelled split and the base's ``random_state``.

Run ``nice -n 10 python benchmarks/bench_crest.py`` (about 4 to 5 minutes on
two busy cores) or ``--quick`` (one seed, imbalance 50, 10% labelled). BLAS
runs on one thread: on a few hundred rows, more threads only contend.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import time
import warnings

import numpy as np
from _common import peak_mib, print_table
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, recall_score
from sklearn.neural_network import MLPClassifier
from sklearn.semi_supervised import SelfTrainingClassifier
from threadpoolctl import threadpool_limits

from ltlearn.datasets import load_digits_lt
from ltlearn.semi_supervised import CReSTClassifier

BASES = {
    "logreg": LogisticRegression(max_iter=1000),
    # A strong L2 penalty (alpha=0.1) tempers the MLP's over-confidence on a
    # few hundred rows; self-training's 0.75 threshold and CReST's confidence
    # ranking both read its probabilities.
    "mlp": MLPClassifier(
        hidden_layer_sizes=(64,), alpha=0.1, learning_rate_init=0.01, max_iter=200
    ),
}
METHODS = ["supervised", "self-training", "CReST", "CReST+"]


def _semi_supervised_split(y, fraction, rng):
    """Keep ``ceil(fraction * n_c)`` random labels of each class, mark the rest -1."""
    y_semi = np.full_like(y, -1)
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        keep = rng.choice(rows, int(np.ceil(fraction * rows.size)), replace=False)
        y_semi[keep] = label
    return y_semi


def _make_problem(imbalance_ratio, fraction, seed):
    data = load_digits_lt(imbalance_ratio, random_state=seed)
    # Pixels are 0-16; a fixed scaling keeps the unlabelled rows out of any fit.
    X_train, X_test = data.X_train / 16.0, data.X_test / 16.0
    y_semi = _semi_supervised_split(data.y_train, fraction, np.random.RandomState(seed))
    minority = data.classes[np.argmin(data.class_counts)]
    return X_train, y_semi, X_test, data.y_test, minority


def _make_model(method, base):
    if method == "supervised":
        return base
    if method == "self-training":
        return SelfTrainingClassifier(base)
    return CReSTClassifier(base, distribution_alignment=method == "CReST+")


def _fit(method, model, X_train, y_semi):
    if method == "supervised":
        labelled = y_semi != -1
        return model.fit(X_train[labelled], y_semi[labelled])
    return model.fit(X_train, y_semi)


def time_crest_fit(imbalance_ratio=50, fraction=0.1, seed=0):
    """Fit CReST+ around logistic regression once (asv-style timing callable)."""
    X_train, y_semi, *_ = _make_problem(imbalance_ratio, fraction, seed)
    model = _make_model("CReST+", clone(BASES["logreg"]))
    return _fit("CReST+", model, X_train, y_semi)


def peakmem_crest_fit(imbalance_ratio=50, fraction=0.1, seed=0):
    """Peak traced memory (MiB) of :func:`time_crest_fit`."""
    return peak_mib(lambda: time_crest_fit(imbalance_ratio, fraction, seed))[1]


def run(settings, seeds):
    rows, gaps = [], []
    for imbalance_ratio, fraction in settings:
        for base_name, base in BASES.items():
            scores = {method: [] for method in METHODS}
            for seed in seeds:
                X_train, y_semi, X_test, y_test, minority = _make_problem(
                    imbalance_ratio, fraction, seed
                )
                for method in METHODS:
                    model = _make_model(
                        method, clone(base).set_params(random_state=seed)
                    )
                    start = time.perf_counter()
                    _fit(method, model, X_train, y_semi)
                    seconds = time.perf_counter() - start
                    y_pred = model.predict(X_test)
                    scores[method].append(
                        (
                            100 * balanced_accuracy_score(y_test, y_pred),
                            100
                            * recall_score(
                                y_test, y_pred, labels=[minority], average="macro"
                            ),
                            seconds,
                        )
                    )
            for method in METHODS:
                values = np.array(scores[method])
                mean, std = values.mean(axis=0), values.std(axis=0)
                rows.append(
                    {
                        "imbalance": imbalance_ratio,
                        "labelled": f"{fraction:.0%}",
                        "base": base_name,
                        "method": method,
                        "bal. acc. %": f"{mean[0]:.1f} ({std[0]:.1f})",
                        "minority recall %": f"{mean[1]:.1f} ({std[1]:.1f})",
                        "fit s": f"{mean[2]:.2f}",
                    }
                )
            bal_acc = {m: np.array(scores[m])[:, 0] for m in METHODS}
            gap = {
                "imbalance": imbalance_ratio,
                "labelled": f"{fraction:.0%}",
                "base": base_name,
            }
            for better, worse in [
                ("CReST+", "self-training"),
                ("CReST+", "supervised"),
                ("CReST", "self-training"),
            ]:
                diff = bal_acc[better] - bal_acc[worse]  # paired by seed
                gap[f"{better} - {worse}"] = f"{diff.mean():+.1f} ({diff.std():.1f})"
            gap["CReST+ wins (seeds)"] = (
                f"{np.sum(bal_acc['CReST+'] > bal_acc['self-training'])}/{len(seeds)}"
            )
            gaps.append(gap)
    return rows, gaps


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="one seed, imbalance 50, 10%% labelled"
    )
    args = parser.parse_args(argv)
    if args.quick:
        settings, seeds = [(50, 0.1)], [0]
    else:
        settings = [(ir, frac) for ir in (10, 50) for frac in (0.1, 0.3)]
        seeds = list(range(5))

    start = time.perf_counter()
    with warnings.catch_warnings(), threadpool_limits(1):
        # Fully labelled inner fits and short MLP runs warn; neither is news here.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        rows, gaps = run(settings, seeds)
        mib = peakmem_crest_fit()
    print(f"digits-LT, {len(seeds)} seed(s); mean (std) over seeds, in percent\n")
    print_table(
        rows,
        [
            "imbalance",
            "labelled",
            "base",
            "method",
            "bal. acc. %",
            "minority recall %",
            "fit s",
        ],
    )
    print("\nBalanced-accuracy gaps, in points: mean (std) of per-seed differences\n")
    print_table(gaps, list(gaps[0]))
    print(
        f"\nCReST+ (logreg, imbalance 50, 10% labelled) peak traced memory: "
        f"{mib:.1f} MiB; total {time.perf_counter() - start:.0f} s"
    )


if __name__ == "__main__":
    main()
