"""Benchmark of the two-phase rules (KPS-GA, VS-TLA/ADRW) and the papers' SGD schedule.

On the CPU data sets of ``bench_deep.py`` (digits-LT IF50 and the synthetic
100-class IF100 long tail, the same MLP and budgets, 3 seeds), balanced
accuracy of cross-entropy, VS, KPS, KPS with gradient adjustment and VS with
TLA/ADRW, each trained with the default AdamW and with the papers' schedule
(:func:`ltlearn.deep.schedules.training_schedule`: SGD momentum 0.9, weight
decay 2e-4, lr 0.1, warm-up, step decay; the batch size of the table kept so
both optimisers take the same steps). Goals: each rule beats CE by at least 5
points on digits-LT IF50; the scheduled SGD recipe is at least as good as
AdamW for the best loss.

Run ``nice -n 10 python benchmarks/bench_deep_rules.py`` (a few minutes, one
torch thread); ``--datasets "digits-LT IF50"`` for one table.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from _common import print_table  # noqa: E402
from bench_deep import DATASETS, _fit_recipe  # noqa: E402
from sklearn.metrics import balanced_accuracy_score  # noqa: E402

from ltlearn.deep import (  # noqa: E402
    GradientAdjustment,
    KPSGALoss,
    TruncatedReweighting,
    VSTLALoss,
)
from ltlearn.deep.schedules import first_decay_epoch, training_schedule  # noqa: E402


def recipes(epochs):
    t0 = first_decay_epoch("vs", epochs)
    ga = round(0.6 * epochs)  # epoch 120 of 200 in the KPS code
    return {
        "ce": (dict(), "cb"),
        "vs": (dict(criterion="vs"), "vs"),
        "kps": (dict(criterion="kps"), "kps"),
        "kps-ga": (
            dict(criterion=KPSGALoss, callbacks=[GradientAdjustment(start_epoch=ga)]),
            "kps",
        ),
        "vs-tla/adrw": (
            dict(
                criterion=VSTLALoss,
                criterion__nu=0.15,
                callbacks=[TruncatedReweighting(start_epoch=t0)],
            ),
            "vs",
        ),
    }


def _with_schedule(params, schedule, epochs):
    sched = training_schedule(schedule, max_epochs=epochs)
    sched.pop("max_epochs")
    sched.pop("batch_size")  # keep the table's batch size: same number of steps
    params = dict(params)
    sched["callbacks"] = sched["callbacks"] + params.pop("callbacks", [])
    return {**params, **sched}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument(
        "--datasets", default="digits-LT IF50,synthetic 100-class IF100"
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    for dataset in args.datasets.split(","):
        load, epochs = DATASETS[dataset]
        splits = [load(seed) for seed in range(args.seeds)]
        rows, ce = [], None
        for name, (params, schedule) in recipes(epochs).items():
            for optimiser in ("AdamW (default)", "SGD schedule"):
                fit_params = params
                if optimiser == "SGD schedule":
                    fit_params = _with_schedule(params, schedule, epochs)
                scores = []
                for seed, (X, y, X_test, y_test) in enumerate(splits):
                    clf = _fit_recipe(fit_params, X, y, epochs, seed)
                    pred = clf.predict(X_test.astype(np.float32))
                    scores.append(100 * balanced_accuracy_score(y_test, pred))
                score = float(np.mean(scores))
                if name == "ce" and optimiser.startswith("AdamW"):
                    ce = score
                rows.append(
                    {
                        "recipe": name,
                        "optimiser": optimiser,
                        "bal. acc": score,
                        "std": float(np.std(scores)),
                        "vs CE AdamW (points)": score - ce,
                    }
                )
                print(rows[-1], flush=True)
        print(f"\n{dataset}, {epochs} epochs, {args.seeds} seeds")
        print_table(
            rows, ["recipe", "optimiser", "bal. acc", "std", "vs CE AdamW (points)"]
        )


if __name__ == "__main__":
    main()
