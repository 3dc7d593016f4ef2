"""The plots of a ``ltlearn compare`` report (matplotlib, Agg canvas)."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import math
import textwrap

import numpy as np

from ltlearn._compare._results import replacing, visible
from ltlearn._compare._stats import is_peer


def _save(figure, path):
    """Save a PNG whole or not at all (a full disk leaves the previous one)."""
    with replacing(path) as temporary:
        figure.savefig(temporary, dpi=110)


def _figure(width, height):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _colors(methods):
    from matplotlib import colormaps

    palette = colormaps["tab20"] if len(methods) > 10 else colormaps["tab10"]
    return {m: palette(i % palette.N) for i, m in enumerate(methods)}


def _markers(methods):
    shapes = "osD^vP*Xh<>p"
    return {m: shapes[i % len(shapes)] for i, m in enumerate(methods)}


# The per-class recall plot shows this many of the best methods, and the peers.
_RECALL_TOP = 4
# Its width, in inches, per panel and at least: one panel (one data set) is
# as wide as the title and a legend of five long method names.
_PANEL_WIDTH = 4.2
_MIN_WIDTH = 8
# The characters of a data set name on one line of a panel's title.
_TITLE_WIDTH = 50


def recall_methods(summary, ranking):
    """The methods of the per-class recall plot: all, or the best and the peers."""
    if len(summary.methods) <= _RECALL_TOP + 2:
        return list(summary.methods)
    top = ranking.methods[:_RECALL_TOP] or summary.methods[:_RECALL_TOP]
    peers = [m for m in summary.methods if is_peer(m)]
    return list(dict.fromkeys([*top, *peers]))


def plot_recall(summary, path, methods=None):
    """Per-class recall against training count: one panel per data set.

    ``methods`` limits the lines (the top few and the peers) so that the
    plot stays readable when many methods ran.
    """
    methods = list(summary.methods if methods is None else methods)
    datasets = [
        d for d in summary.datasets if any((d, m) in summary.per_class for m in methods)
    ]
    if not datasets:
        return False
    n_cols = min(3, len(datasets))
    n_rows = math.ceil(len(datasets) / n_cols)
    figure = _figure(max(_PANEL_WIDTH * n_cols, _MIN_WIDTH), 3.2 * n_rows + 0.6)
    axes = figure.subplots(n_rows, n_cols, squeeze=False).ravel()
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter, NullFormatter

    colors = _colors(methods)
    markers = _markers(methods)
    plotted = []
    for ax, dataset in zip(axes, datasets):
        lowest, highest = math.inf, 0.0
        for method in methods:
            if (dataset, method) not in summary.per_class:
                continue
            counts, recall = summary.per_class[(dataset, method)]
            lowest, highest = min(lowest, counts.min()), max(highest, counts.max())
            plotted.append(method)
            order = np.argsort(counts, kind="stable")  # ties by class
            ax.plot(
                counts[order],
                recall[order],
                marker=markers[method],
                ms=4,
                lw=1,
                color=colors[method],
                label=method,
            )
        if highest > 10 * max(lowest, 1):  # a log axis only when it spans a decade
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_ylim(-0.03, 1.03)
        # parse_math: a "$" in a file name is text, not mathtext.
        ax.set_title(
            textwrap.fill(visible(dataset), _TITLE_WIDTH),
            fontsize=10,
            parse_math=False,
        )
        ax.set_xlabel("training rows of the class")
        ax.set_ylabel("recall")
        ax.grid(alpha=0.3)
    for ax in axes[len(datasets) :]:
        ax.set_visible(False)
    labels = [m for m in methods if m in plotted]
    handles = [
        Line2D([], [], color=colors[m], marker=markers[m], ms=4, lw=1) for m in labels
    ]
    figure.legend(
        handles,
        labels,
        loc="outside lower center",
        ncols=min(5, len(labels)),
        fontsize=8,
    )
    figure.suptitle("Per-class recall against training frequency (mean over folds)")
    _save(figure, path)
    return True


def plot_ranks(ranking, path, title):
    """Each method's rank on each data set, best mean rank at the top.

    The ranks and mean ranks of the table: over the data sets where every
    ranked method ran, among the ranked methods.
    """
    if not ranking.methods:
        return False
    figure = _figure(7, 0.45 * len(ranking.methods) + 1.5)
    ax = figure.subplots()
    for y, method in enumerate(reversed(ranking.methods)):
        ranks = [ranking.ranks[d][method] for d in ranking.datasets]
        ax.scatter(ranks, [y] * len(ranks), color="0.6", s=14, zorder=2)
        ax.scatter(
            [ranking.mean_rank[method]], [y], color="C3", marker="D", s=40, zorder=3
        )
    ax.set_yticks(range(len(ranking.methods)), list(reversed(ranking.methods)))
    ax.set_xlabel("rank on a data set (1 is best); red: mean rank")
    ax.invert_xaxis()
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(
        f"Ranks by {title} over {len(ranking.datasets)} data set(s) where every "
        "ranked method ran",
        fontsize=9,
    )
    _save(figure, path)
    return True


# The most ranks numbered on the axis of the critical-difference diagram.
_RANK_LABELS = 25


def plot_critical_difference(ranking, path, title):
    """The critical-difference diagram of Demšar (2006).

    Methods sit at their mean rank on an axis from 1 (left, best) to ``k``;
    a thick bar joins methods whose mean ranks differ by less than the
    Nemenyi critical difference, shown above the axis.
    """
    methods = ranking.methods
    k = len(methods)
    if k < 2 or ranking.cd is None:
        return False
    ranks = [ranking.mean_rank[m] for m in methods]
    half = math.ceil(k / 2)
    height = 1.2 + 0.28 * half
    figure = _figure(8, height + 0.6)
    ax = figure.subplots()
    ax.set_xlim(0.2 - 0.28 * k, k + 0.8 + 0.28 * k)
    ax.set_ylim(-height, 1.0)
    ax.axis("off")
    ax.plot([1, k], [0, 0], color="k", lw=1)
    # Beyond _RANK_LABELS methods the numbers of the ranks would run into
    # each other: every step-th is written (and 1), every one is marked.
    step = math.ceil(k / _RANK_LABELS)
    for tick in range(1, k + 1):
        ax.plot([tick, tick], [0, 0.08], color="k", lw=1)
        if tick == 1 or tick % step == 0:
            ax.text(tick, 0.14, str(tick), ha="center", va="bottom", fontsize=8)
    ax.plot([1, 1 + ranking.cd], [0.6, 0.6], color="k", lw=1.5)
    for end in (1, 1 + ranking.cd):
        ax.plot([end, end], [0.55, 0.65], color="k", lw=1.5)
    ax.text(
        1 + ranking.cd / 2,
        0.7,
        f"CD = {ranking.cd:.2f}",
        ha="center",
        va="bottom",
        fontsize=8,
    )
    for i, (method, rank) in enumerate(zip(methods, ranks)):
        left = i < half
        row = i if left else k - 1 - i
        y = -0.45 - 0.28 * row
        edge = 0.5 if left else k + 0.5
        ax.plot([rank, rank, edge], [0, y, y], color="0.3", lw=0.8)
        label = f"{method} ({rank:.2f})"
        ax.text(
            edge - 0.05 if left else edge + 0.05,
            y,
            label,
            ha="right" if left else "left",
            va="center",
            fontsize=8,
            fontweight="bold" if method == ranking.best else "normal",
            style="italic" if is_peer(method) else "normal",
        )
    # Maximal groups of methods whose mean ranks differ by less than the
    # critical difference; those that differ by at least that are told apart.
    groups, last_end = [], -1
    for start in range(k):
        end = start
        while end + 1 < k and ranks[end + 1] - ranks[start] < ranking.cd:
            end += 1
        if end > start and end > last_end:
            groups.append((start, end))
            last_end = end
    for j, (start, end) in enumerate(groups):
        y = -0.15 - 0.08 * j
        ax.plot([ranks[start] - 0.03, ranks[end] + 0.03], [y, y], color="k", lw=3)
    ax.set_title(
        f"Mean rank by {title} over {len(ranking.datasets)} data sets "
        "(Nemenyi, alpha=0.05; peers in italics)",
        fontsize=9,
    )
    _save(figure, path)
    return True
