"""Benchmark of ltlearn.deep: long-tail losses and recipes against cross-entropy.

Quality: digits-LT at imbalance 10 and 50 and a synthetic 100-class long tail
(imbalance 100, class separation 2), every loss and training recipe of
:class:`ltlearn.deep.LongTailClassifier` against plain cross-entropy with the
same MLP and the same budget, over 3 seeds (each seed draws its own long-tailed
subset and initialises its own network): balanced accuracy on the balanced test
set, many/medium/few-shot accuracy, seconds per epoch. On the 10-class sets
a "bias ceiling" column gives the balanced accuracy reached when one bias per
class is tuned on the test set itself: no method can use it, but it estimates
how far post-hoc re-weighting of the classes can take each network. The IF50
set is trained twice: on the pixels as they are, and with the papers'
augmentation scaled to 8x8 images (random shifts of up to one pixel and
normalisation, every recipe alike). Without augmentation the MLP fits its few
hundred training rows exactly within a few epochs, and margin losses (LDAM,
KPS) then train much like cross-entropy.

Speed: LongTailClassifier with every loss against a plain PyTorch loop that
slices in-memory tensors and calls ``F.cross_entropy``, training the same model
on the same data (20k x 64, 10 classes, batches of 256, one thread; median of 5
interleaved rounds, ``--rounds`` for more), LongTailClassifier with torch's
default (unfused) AdamW, the plain loop's, skorch's default (a per-sample
``DataLoader``), and the plain loop against itself, whose pair ratios show the
machine's own noise. With a CUDA device, ResNet-32 on a 32x32 synthetic long tail
reports images per second, in float32 and with mixed precision (``amp=True``).

Run ``nice -n 10 python benchmarks/bench_deep.py`` (about twelve minutes with one
torch thread) or ``--quick`` for a smoke run (its defaults: one seed, IF50, a
tenth of the budget; ``--datasets`` and the others still apply).

``--predict N`` instead times ``predict_proba`` of LongTailClassifier (an MLP
of one hidden layer of 64, trained one epoch on 20,000 rows of 1,000 classes)
on N rows of 20 features, against a plain PyTorch loop over the same module
(slices of 4,096 rows, softmax, ``torch.cat``), with the peak growth of the
resident memory of each (``bench_smotenc.peak_rss_mib``; in the memory
ratio, a peak under 1 MiB counts as 1 MiB).
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import os
import statistics
import time
import warnings

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
from _common import (  # noqa: E402
    given_flags,
    peak_ratio,
    positive_int,
    print_table,
    require,
)

require("deep", "torch", "skorch")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from sklearn.metrics import balanced_accuracy_score  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from skorch import NeuralNetClassifier  # noqa: E402

from ltlearn.datasets import (  # noqa: E402
    load_digits_lt,
    make_long_tailed_classification,
)
from ltlearn.deep import (  # noqa: E402
    GradientAdjustment,
    KPSGALoss,
    LongTailClassifier,
    TruncatedReweighting,
    VSTLALoss,
)
from ltlearn.deep._net_build import _LOSSES  # noqa: E402
from ltlearn.deep.augment import CIFARAugment  # noqa: E402
from ltlearn.deep.callbacks import (  # noqa: E402
    ClassifierRetraining,
    DeferredResampling,
    DeferredReweighting,
    TauNormalization,
)
from ltlearn.deep.modules import MLP, ResNet32  # noqa: E402
from ltlearn.metrics import shot_accuracy  # noqa: E402
from ltlearn.post_hoc import LogitAdjustedClassifier  # noqa: E402

HIDDEN = (256, 256)
BATCH_SIZE = 64
# The "bias ceiling" column is computed for data sets with at most this many
# classes (its search costs classes x grid x test rows).
MAX_CEILING_CLASSES = 10

# name -> LongTailClassifier parameters (on top of the shared MLP and budget);
# "post_hoc_tau" wraps the network in a post-hoc LogitAdjustedClassifier.
RECIPES = {
    "ce": {},
    "focal": dict(criterion="focal"),
    "cb-softmax": dict(criterion="class_balanced"),
    "cb-sigmoid": dict(criterion="class_balanced", criterion__loss_type="sigmoid"),
    "cb-focal": dict(criterion="class_balanced", criterion__loss_type="focal"),
    "ldam": dict(criterion="ldam"),
    "ldam-drw": dict(criterion="ldam", callbacks=[DeferredReweighting()]),
    "logit-adjusted": dict(criterion="logit_adjusted"),
    "balanced-softmax": dict(criterion="balanced_softmax"),
    "vs": dict(criterion="vs"),
    "kps": dict(criterion="kps"),
    # The two-phase rules at their defaults: GA from 60% of the budget (epoch
    # 120 of 200 in the KPS code), ADRW/TLA from 80% (the first lr decay).
    "kps-ga": dict(criterion=KPSGALoss, callbacks=[GradientAdjustment()]),
    "vs-tla/adrw": dict(criterion=VSTLALoss, callbacks=[TruncatedReweighting()]),
    "ce-drw": dict(callbacks=[DeferredReweighting()]),
    "ce-drs": dict(callbacks=[DeferredResampling()]),
    "sampler:class-balanced": dict(sampler="class_balanced"),
    "sampler:square-root": dict(sampler="square_root"),
    "sampler:progressive": dict(sampler="progressive"),
    "crt": dict(callbacks=[ClassifierRetraining("crt")]),
    "lws": dict(callbacks=[ClassifierRetraining("lws", lr=0.01)]),
    "tau-norm": dict(callbacks=[TauNormalization(tau=1.0)]),
    "balanced-softmax+drw": dict(
        criterion="balanced_softmax", callbacks=[DeferredReweighting()]
    ),
    # LDAM's logits are cosines scaled by 30: a post-hoc prior correction
    # needs a larger tau than the unit-scale logits of the other losses.
    "ldam+post-hoc LA": dict(criterion="ldam", post_hoc_tau=3.0),
}


def _digits(imbalance_ratio):
    def load(seed):
        b = load_digits_lt(imbalance_ratio, random_state=seed)
        # Pixels lie in [0, 16]: scale by the known range (a StandardScaler
        # blows up pixels that are almost always blank in a small subset).
        return (b.X_train / 16, b.y_train, b.X_test / 16, b.y_test)

    return load


def _synthetic(seed):
    b = make_long_tailed_classification(
        n_classes=100, imbalance_ratio=100, class_sep=2.0, random_state=seed
    )
    scaler = StandardScaler().fit(b.X_train)
    return (
        scaler.transform(b.X_train),
        b.y_train,
        scaler.transform(b.X_test),
        b.y_test,
    )


def _no_shared_parameters(X_train):
    return {}


def _digit_shifts(X_train):
    """The papers' CIFAR augmentation at the scale of 8x8 digits.

    Zero padding of 1 and a random 8x8 crop (random shifts of up to one pixel,
    as 4 of 32 for CIFAR), then normalisation by the training pixels' mean and
    standard deviation (one channel). No flip: a mirrored digit is another
    digit, or none.
    """
    augment = CIFARAugment(
        padding=1,
        flip_prob=0.0,
        mean=(float(X_train.mean()),),
        std=(float(X_train.std()),),
        input_shape=(1, 8, 8),
    )
    return {"augment": augment}


# name -> (loader, max_epochs, the parameters shared by every recipe as a
# function of the training rows): budgets of about 1000 optimiser steps.
DATASETS = {
    "digits-LT IF10": (_digits(10), 130, _no_shared_parameters),
    "digits-LT IF50": (_digits(50), 160, _no_shared_parameters),
    "digits-LT IF50 shifted": (_digits(50), 160, _digit_shifts),
    "synthetic 100-class IF100": (_synthetic, 16, _no_shared_parameters),
}
# The tables on which the goals of the two-phase rules are read.
DIGITS_IF50 = ("digits-LT IF50", "digits-LT IF50 shifted")


def _fit_recipe(params, X, y, max_epochs, seed):
    params = dict(params)
    post_hoc_tau = params.pop("post_hoc_tau", None)
    clf = LongTailClassifier(
        module__hidden_sizes=HIDDEN,
        batch_size=BATCH_SIZE,
        max_epochs=max_epochs,
        random_state=seed,
        **params,
    )
    if post_hoc_tau is not None:
        clf = LogitAdjustedClassifier(clf, tau=post_hoc_tau)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        clf.fit(X.astype(np.float32), y)
    return clf


def bias_ceiling(proba, y_true, grid=np.linspace(-8, 8, 81), sweeps=4):
    """Balanced accuracy once per-class biases are tuned on the test set itself.

    Coordinate ascent over one additive bias per class on the log-probabilities
    (columns in the order of ``np.unique(y_true)``), on a grid. It reads the
    test labels, so it is no method: it estimates (from below, as the search
    is local) the most that a post-hoc re-weighting of the classes (logit
    adjustment, thresholds) can get from this network's scores.
    """
    _, y = np.unique(y_true, return_inverse=True)
    n_classes = proba.shape[1]
    logits = np.log(np.maximum(proba, np.finfo(proba.dtype).tiny))
    members = [y == c for c in range(n_classes)]

    def scores(biases):  # biases: (n_candidates, n_classes)
        hits = (logits[None] + biases[:, None, :]).argmax(-1) == y
        return np.mean([hits[:, m].mean(axis=1) for m in members], axis=0)

    bias = np.zeros(n_classes)
    best = scores(bias[None])[0]
    for _ in range(sweeps):
        for c in range(n_classes):
            candidates = np.repeat(bias[None], len(grid), axis=0)
            candidates[:, c] = grid
            values = scores(candidates)
            if values.max() > best:
                best, bias = values.max(), candidates[values.argmax()]
    return best


def run_quality(seeds, epoch_scale, datasets):
    """Fit every recipe on every dataset and seed; print one table per dataset.

    Returns each dataset's gains over CE in points, by recipe, and, where the
    bias ceiling was computed, its best gain and the recipe that gave it.
    """
    gains, best_ceilings = {}, {}
    for dataset, (load, max_epochs, shared) in DATASETS.items():
        if dataset not in datasets:
            continue
        epochs = max(2, int(round(max_epochs * epoch_scale)))
        splits = [load(seed) for seed in seeds]
        results = {}
        for name, params in RECIPES.items():
            scores, shots, durations, ceilings = [], [], [], []
            for seed, (X_train, y_train, X_test, y_test) in zip(seeds, splits):
                fit_params = {**shared(X_train), **params}
                clf = _fit_recipe(fit_params, X_train, y_train, epochs, seed)
                proba = clf.predict_proba(X_test.astype(np.float32))
                y_pred = clf.classes_[proba.argmax(axis=1)]
                scores.append(balanced_accuracy_score(y_test, y_pred))
                if len(clf.classes_) <= MAX_CEILING_CLASSES:
                    ceilings.append(bias_ceiling(proba, y_test))
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    shots.append(shot_accuracy(y_test, y_pred, y_train=y_train))
                net = getattr(clf, "estimator_", clf)
                durations.append(statistics.mean(net.history[:, "dur"]))
            results[name] = (scores, shots, durations, ceilings)
        ce = np.mean(results["ce"][0])
        rows = []
        for name, (scores, shots, durations, ceilings) in results.items():
            row = {
                "recipe": name,
                "bal. acc": f"{np.mean(scores):.3f} ± {np.std(scores):.3f}",
                "vs CE (points)": f"{100 * (np.mean(scores) - ce):+.1f}",
            }
            for group in ("many", "medium", "few"):
                values = [s[group] for s in shots]
                row[group] = (
                    "-" if np.all(np.isnan(values)) else f"{np.nanmean(values):.3f}"
                )
            row["bias ceiling"] = f"{np.mean(ceilings):.3f}" if ceilings else "-"
            row["s/epoch"] = f"{np.mean(durations):.4f}"
            rows.append(row)
        n_train = [len(split[1]) for split in splits]
        print(
            f"\n### {dataset}: {int(np.mean(n_train))} training rows, "
            f"{epochs} epochs of batches of {BATCH_SIZE}, MLP {HIDDEN}, "
            f"seeds {list(seeds)}\n"
        )
        columns = ["recipe", "bal. acc", "vs CE (points)", "many", "medium", "few"]
        print_table(rows, [*columns, "bias ceiling", "s/epoch"])
        gains[dataset] = {
            name: 100 * (np.mean(res[0]) - ce) for name, res in results.items()
        }
        if results["ce"][3]:
            best_ceilings[dataset] = max(
                (100 * (np.mean(res[3]) - ce), name) for name, res in results.items()
            )
    return gains, best_ceilings


def _print_goals(gains, ceilings):
    print("\n### Goals\n")
    rows = []
    if "digits-LT IF50" in gains:
        g = gains["digits-LT IF50"]
        best = max((v, k) for k, v in g.items() if k != "ce")
        rows.append(
            {
                "goal": "digits-LT IF50: best recipe >= CE + 8",
                "result": f"{best[1]} {best[0]:+.1f}",
                "met": "yes" if best[0] >= 8 else "NO",
            }
        )
        if "digits-LT IF50" in ceilings:
            gain, name = ceilings["digits-LT IF50"]
            rows.append(
                {
                    "goal": "(bound) per-class biases tuned on the test set",
                    "result": f"{name} {gain:+.1f}",
                    "met": "-",
                }
            )
    for dataset in DIGITS_IF50:
        if dataset not in gains:
            continue
        g = gains[dataset]
        for name in ("logit-adjusted", "balanced-softmax", "kps-ga", "vs-tla/adrw"):
            rows.append(
                {
                    "goal": f"{dataset}: {name} >= CE + 5",
                    "result": f"{g[name]:+.1f}",
                    "met": "yes" if g[name] >= 5 else "NO",
                }
            )
    if "synthetic 100-class IF100" in gains:
        g = gains["synthetic 100-class IF100"]
        best = max((v, k) for k, v in g.items() if k != "ce")
        rows.append(
            {
                "goal": "100-class IF100: best recipe >= CE + 2",
                "result": f"{best[1]} {best[0]:+.1f}",
                "met": "yes" if best[0] >= 2 else "NO",
            }
        )
    print_table(rows, ["goal", "result", "met"])


# -- speed --------------------------------------------------------------------


# The speed benchmark of the issue tracker: 20k rows x 64 features, 10
# classes, batches of 256, one thread.
SPEED_ROWS, SPEED_FEATURES, SPEED_CLASSES, SPEED_BATCH = 20_000, 64, 10, 256
# Every criterion LongTailClassifier takes by name.
SPEED_LOSSES = list(_LOSSES)
# Margin losses get a cosine last layer; the plain loop trains the same network.
COSINE_LOSSES = ("ldam", "kps")
# The plain loop timed against itself: how far a ratio strays when nothing
# differs but the machine's speed between the two runs of a pair.
NOISE_FLOOR = "plain loop again (noise floor)"
# LongTailClassifier runs Adam(W) fused by default; this row runs the plain
# loop's (torch's default) implementation, so that the framework's own cost
# shows apart from the optimiser's.
UNFUSED = "LongTailClassifier criterion='ce' optimizer__fused=False"


def _speed_data():
    """20k rows x 64 features, 10 classes with counts falling 50-fold."""
    rng = np.random.default_rng(0)
    weights = 50.0 ** -np.linspace(0, 1, SPEED_CLASSES)
    y = rng.choice(SPEED_CLASSES, size=SPEED_ROWS, p=weights / weights.sum())
    centres = rng.normal(size=(SPEED_CLASSES, SPEED_FEATURES))
    X = centres[y] + rng.normal(size=(SPEED_ROWS, SPEED_FEATURES))
    return X.astype(np.float32), y.astype(np.int64)


def time_plain_loop(
    X, y, epochs, head="linear", batch_size=SPEED_BATCH, seed=0, clock=time.perf_counter
):
    """Train the MLP with a hand-written loop slicing in-memory tensors."""
    start = clock()
    torch.manual_seed(seed)
    model = MLP(X.shape[1], int(y.max()) + 1, hidden_sizes=HIDDEN, head=head)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
    n = len(X_t)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(n)
        for i in range(0, n, batch_size):
            idx = order[i : i + batch_size]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(X_t[idx]), y_t[idx])
            loss.backward()
            optimizer.step()
    return (clock() - start) / epochs


def time_longtail_classifier(
    X,
    y,
    epochs,
    criterion="ce",
    batch_size=SPEED_BATCH,
    seed=0,
    clock=time.perf_counter,
    **params,
):
    """Train the same MLP with LongTailClassifier (no split), set-up included."""
    clf = LongTailClassifier(
        module__hidden_sizes=HIDDEN,
        criterion=criterion,
        max_epochs=epochs,
        batch_size=batch_size,
        random_state=seed,
        **params,
    )
    start = clock()
    clf.fit(X, y)
    return (clock() - start) / epochs


def time_skorch_dataloader(
    X, y, epochs, batch_size=SPEED_BATCH, seed=0, clock=time.perf_counter
):
    """Train the same MLP with skorch's defaults: a per-sample DataLoader."""
    start = clock()
    torch.manual_seed(seed)
    net = NeuralNetClassifier(
        MLP,
        module__n_features=X.shape[1],
        module__n_classes=int(y.max()) + 1,
        module__hidden_sizes=HIDDEN,
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.AdamW,
        lr=1e-3,
        max_epochs=epochs,
        batch_size=batch_size,
        train_split=None,
        iterator_train__shuffle=True,
        verbose=0,
    )
    net.fit(X, y)
    return (clock() - start) / epochs


def run_speed(epochs, repeat):
    """Time every loss against the plain loop in interleaved rounds.

    A round runs, for each loss (in an order that alternates between
    rounds), the plain loop (cross-entropy) and LongTailClassifier with the
    loss back to back, in alternating order, on the same network (the
    cosine last layer for LDAM and KPS), plus skorch's default DataLoader
    against the plain loop, and the plain loop against itself (the noise
    floor: the spread of its pair ratios is the machine's). The ratio of a
    pair is the CPU time (``time.process_time``, one thread) of
    LongTailClassifier over that of the plain loop next to it, so that a
    change of the machine's load between pairs cancels; the table gives the
    medians over the rounds and the range of the pair ratios.
    """
    X, y = _speed_data()

    def plain(name, clock):
        head = "cosine" if name in COSINE_LOSSES else "linear"
        return time_plain_loop(X, y, epochs, head=head, clock=clock)

    def other(name, clock):
        if name in SPEED_LOSSES:
            return time_longtail_classifier(X, y, epochs, criterion=name, clock=clock)
        if name == NOISE_FLOOR:
            return plain("ce", clock)
        if name == UNFUSED:
            return time_longtail_classifier(
                X, y, epochs, clock=clock, optimizer__fused=False
            )
        return time_skorch_dataloader(X, y, epochs, clock=clock)

    names = [*SPEED_LOSSES, UNFUSED, "skorch DataLoader (ce)", NOISE_FLOOR]
    plain("ce", time.process_time)  # warm up
    other("ce", time.process_time)
    times = {name: [] for name in names}
    plain_times = {name: [] for name in names}
    for round_ in range(repeat):
        for i, name in enumerate(names if round_ % 2 == 0 else names[::-1]):
            if (round_ + i) % 2 == 0:
                plain_times[name].append(plain(name, time.process_time))
                times[name].append(other(name, time.process_time))
            else:
                times[name].append(other(name, time.process_time))
                plain_times[name].append(plain(name, time.process_time))

    def pair_ratios(name):
        return [t / p for t, p in zip(times[name], plain_times[name])]

    def ratio(name):
        return statistics.median(pair_ratios(name))

    rows = []
    for name in names:
        is_loss = name in SPEED_LOSSES
        rows.append(
            {
                "trainer": f"LongTailClassifier criterion={name!r}"
                if is_loss
                else name,
                "head": "cosine" if name in COSINE_LOSSES else "linear",
                "CPU s/epoch": f"{statistics.median(times[name]):.4f}",
                "plain loop s/epoch": f"{statistics.median(plain_times[name]):.4f}",
                "ratio": f"{ratio(name):.3f}",
                "pairs min-max": f"{min(pair_ratios(name)):.2f}"
                f"-{max(pair_ratios(name)):.2f}",
                "goal <= 1.10": ("met" if ratio(name) <= 1.10 else "NOT met")
                if is_loss
                else "",
            }
        )
    print(
        f"\n### Speed: MLP {HIDDEN}, {len(X)} rows x {X.shape[1]} features, "
        f"{SPEED_CLASSES} classes, batches of {SPEED_BATCH}, {epochs} epochs per "
        f"fit (set-up included), one thread; ratio: median over {repeat} "
        "interleaved rounds of the CPU time over the plain loop's (cross-entropy, "
        "same network) run next to it\n"
    )
    print_table(rows, list(rows[0]))
    worst = max(ratio(name) for name in SPEED_LOSSES)
    print(
        f"\nWorst loss / plain loop: {worst:.3f}; goal <= 1.10 for every loss: "
        f"{'met' if worst <= 1.10 else 'NOT met'}"
    )


def _synthetic_images(n_classes=10, n_max=500, imbalance_ratio=100, seed=0):
    """32x32 colour images: smooth class prototypes plus noise, long-tailed."""
    rng = np.random.default_rng(seed)
    coarse = rng.normal(size=(n_classes, 3, 4, 4)).astype(np.float32)
    prototypes = np.kron(coarse, np.ones((1, 1, 8, 8), dtype=np.float32))
    counts = [
        int(n_max * (1 / imbalance_ratio) ** (j / (n_classes - 1)))
        for j in range(n_classes)
    ]
    y = np.repeat(np.arange(n_classes), counts)
    X = prototypes[y] + rng.normal(scale=1.0, size=(len(y), 3, 32, 32)).astype(
        np.float32
    )
    return X, y


def time_resnet32_gpu(epochs=3, batch_size=128, amp=False):
    """Images per second of ResNet-32 with LDAM on a CUDA device (None on CPU)."""
    if not torch.cuda.is_available():
        return None
    X, y = _synthetic_images(n_max=5000)  # the size of CIFAR-10-LT at IF 100
    clf = LongTailClassifier(
        ResNet32,
        criterion="ldam",
        optimizer=torch.optim.SGD,
        optimizer__momentum=0.9,
        lr=0.1,
        max_epochs=epochs,
        batch_size=batch_size,
        device="cuda",
        amp=amp,
        random_state=0,
    ).fit(X, y)
    durations = clf.history[1:, "dur"]  # the first epoch warms up cuDNN
    return len(X) / statistics.mean(durations)


def run_predict(n_rows, n_classes=1000, batch_size=4096):
    """predict_proba on ``n_rows`` rows against a plain loop over the module."""
    from bench_smotenc import peak_rss_mib

    rng = np.random.default_rng(0)
    # fitted on 20,000 rows of every class, whatever the rows to predict
    X = rng.normal(size=(max(n_rows, 20_000), 20)).astype(np.float32)
    y = np.arange(len(X)) % n_classes
    net = LongTailClassifier(
        MLP,
        module__hidden_sizes=(64,),
        max_epochs=1,
        batch_size=batch_size,
        random_state=0,
    ).fit(X[:20_000], y[:20_000])
    X = X[:n_rows]

    def plain_loop():
        net.module_.train(False)
        with torch.no_grad():
            tensor = torch.as_tensor(X)
            return torch.cat(
                [
                    torch.softmax(net.module_(tensor[i : i + batch_size]), dim=-1)
                    for i in range(0, n_rows, batch_size)
                ]
            ).numpy()

    rows = []
    for name, func in [
        ("plain PyTorch loop", plain_loop),
        ("LongTailClassifier", lambda: net.predict_proba(X)),
    ]:
        func()  # warm up
        start = time.perf_counter()
        proba, peak = peak_rss_mib(func)
        rows.append(
            {
                "predict_proba": name,
                "s": time.perf_counter() - start,
                "peak growth MiB": peak,
                "output MiB": proba.nbytes / 2**20,
            }
        )
    for row in rows:
        row["time ratio"] = row["s"] / rows[0]["s"]
        row["memory ratio"] = peak_ratio(
            row["peak growth MiB"], rows[0]["peak growth MiB"]
        )
    print(f"\n## predict_proba on {n_rows} rows of {n_classes} classes\n")
    print_table(rows, list(rows[0]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: the defaults below become 1 seed, IF50, scale 0.1, 2 "
        "rounds of 1-epoch fits; flags given still apply",
    )
    parser.add_argument("--seeds", type=positive_int, help="default 3")
    parser.add_argument(
        "--epoch-scale",
        type=float,
        help="multiply every training budget (default 1: ~1000 steps)",
    )
    names = {
        "IF10": "digits-LT IF10",
        "IF50": "digits-LT IF50",
        "IF50-shifted": "digits-LT IF50 shifted",
        "synthetic": "synthetic 100-class IF100",
    }
    parser.add_argument(
        "--datasets", nargs="+", choices=list(names), help="default all"
    )
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument(
        "--rounds",
        type=positive_int,
        help="interleaved rounds of the speed table, default 5 (its ratios are "
        "medians over them; more rounds steady them on a machine whose speed "
        "drifts)",
    )
    parser.add_argument(
        "--predict",
        type=positive_int,
        metavar="N",
        help="only time predict_proba on N rows of 1,000 classes",
    )
    args = parser.parse_args(argv)
    quality = ("seeds", "epoch_scale", "datasets")
    if args.predict:
        ignored = given_flags(
            parser, argv, "quick", *quality, "skip_quality", "skip_speed", "rounds"
        )
        if ignored:
            parser.error(f"--predict: runs alone, not with {' '.join(ignored)}")
        torch.set_num_threads(1)
        run_predict(args.predict)
        return
    if args.epoch_scale is not None and not 0 < args.epoch_scale < float("inf"):
        parser.error(
            f"argument --epoch-scale: must be a finite number above 0, "
            f"got {args.epoch_scale}"
        )
    if args.skip_quality and args.skip_speed:
        parser.error("--skip-quality with --skip-speed: nothing left to run")
    if args.skip_quality and (ignored := given_flags(parser, argv, *quality)):
        parser.error(
            f"{' '.join(ignored)}: the quality tables, not with --skip-quality"
        )
    if args.skip_speed and args.rounds:
        parser.error("--rounds: the speed table, not with --skip-speed")
    quick = args.quick
    seeds = args.seeds or (1 if quick else 3)
    epoch_scale = args.epoch_scale or (0.1 if quick else 1.0)
    datasets = args.datasets or (["IF50"] if quick else list(names))
    rounds = args.rounds or (2 if quick else 5)
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    start = time.perf_counter()
    if not args.skip_quality:
        gains, ceilings = run_quality(
            range(seeds), epoch_scale, [names[d] for d in datasets]
        )
        _print_goals(gains, ceilings)
    if not args.skip_speed:
        run_speed(epochs=1 if quick else 5, repeat=rounds)
        for amp in (False, True):
            images_per_second = time_resnet32_gpu(
                epochs=2 if args.quick else 3, amp=amp
            )
            if images_per_second is None:
                print("\nResNet-32 on GPU: no CUDA device, skipped.")
                break
            print(
                f"\nResNet-32 (LDAM, batches of 128, amp={amp}) on "
                f"{torch.cuda.get_device_name()}: {images_per_second:.0f} images/s"
            )
    print(f"\nTotal {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
