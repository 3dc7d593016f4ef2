"""Summaries of a comparison: the terminal table, and a Markdown or HTML report."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import html
import json
import math
import re
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

import ltlearn
from ltlearn.recipes._registry import RECIPES

_SCORING_TITLES = {
    "balanced_accuracy": "balanced accuracy",
    "geometric_mean": "G-mean",
    "macro_f1": "macro-F1",
    "few_shot_accuracy": "few-shot accuracy",
}


def _few_shot(row, few_threshold):
    """Mean recall of the classes with fewer than ``few_threshold`` training rows.

    The same rule as :func:`ltlearn.metrics.shot_accuracy` on the fold: macro
    over the few-shot classes present in the test fold; NaN when there is none.
    """
    if not row["class_recall"]:
        return math.nan
    per_class = json.loads(row["class_recall"])
    values = [
        recall
        for count, recall in zip(per_class["train_count"], per_class["recall"])
        if count < few_threshold and recall is not None
    ]
    return float(np.mean(values)) if values else math.nan


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

    def method_table(self):
        """One row per method, best mean rank first."""
        table = []
        for method in self.methods:
            means = [self.mean.get((d, method), math.nan) for d in self.datasets]
            stds = [self.std.get((d, method), math.nan) for d in self.datasets]
            ranks = [
                self.ranks[d][method] for d in self.datasets if method in self.ranks[d]
            ]
            wins = sum(
                1
                for d in self.datasets
                if method in self.ranks[d]
                and self.ranks[d][method] == min(self.ranks[d].values())
            )
            times = [self.fit_time.get((d, method), math.nan) for d in self.datasets]
            table.append(
                {
                    "method": method,
                    "mean": _nanmean(means),
                    "fold_sd": _nanmean(stds),
                    "mean_rank": _nanmean(ranks),
                    "wins": wins,
                    "datasets": len(ranks),
                    "fit_time": _nanmean(times),
                }
            )
        table.sort(
            key=lambda r: (
                math.inf if math.isnan(r["mean_rank"]) else r["mean_rank"],
                r["method"],
            )
        )
        return table


def _nanmean(values):
    values = [v for v in values if v is not None and not math.isnan(v)]
    return float(np.mean(values)) if values else math.nan


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
    from scipy.stats import rankdata

    scoring = scoring or comparison.config["scoring"]
    datasets = [info["name"] for info in comparison.datasets]
    methods = list(comparison.methods)
    scores, times, recalls = {}, {}, {}
    errors = []
    # Fold order, whatever order the fits finished in: the same sums, the same
    # ties.
    ordered = sorted(
        comparison.rows, key=lambda r: (r["dataset"], r["method"], r["fold"])
    )
    for row in ordered:
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
            per_class = json.loads(row["class_recall"])
            recall = [np.nan if r is None else r for r in per_class["recall"]]
            recalls.setdefault(key, []).append((per_class["train_count"], recall))
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
            [-round(mean[(dataset, m)], 10) for m in present], method="average"
        )
        ranks[dataset] = {m: float(r) for m, r in zip(present, values)}
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
    )


def _fmt(value, digits=3):
    return "-" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def format_table(summary, config):
    """The terminal table: mean and spread per method, and the mean rank."""
    title = _SCORING_TITLES[summary.scoring]
    lines = [
        f"{title}, {config['cv']}-fold cross-validation, {len(summary.datasets)} "
        "data set(s).",
        "mean: over data sets, of the means over folds; fold-sd: mean standard "
        "deviation over folds;",
        "mean rank: rank on each data set (1 is best), averaged; wins: data sets "
        "where best (ties count).",
    ]
    header = ["method", "mean", "fold-sd", "mean rank", "wins", "data sets", "fit s"]
    body = [
        [
            row["method"],
            _fmt(row["mean"]),
            _fmt(row["fold_sd"]),
            _fmt(row["mean_rank"], 2),
            str(row["wins"]),
            str(row["datasets"]),
            _fmt(row["fit_time"], 2),
        ]
        for row in summary.method_table()
    ]
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]

    def line(cells):
        return "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(cells, widths))
        )

    lines += ["", line(header), line(["-" * w for w in widths])]
    lines += [line(r) for r in body]
    if summary.unscored:
        why = "every fit failed"
        if summary.scoring == "few_shot_accuracy":
            why = "no few-shot class, or every fit failed"
        lines.append(f"\nNo {title} on: {', '.join(summary.unscored)} ({why}).")
    if summary.errors:
        lines.append(
            f"\n{len(summary.errors)} fit(s) failed; see the report and the "
            "'error' column of results.csv."
        )
    return "\n".join(lines)


# -- plots --------------------------------------------------------------------


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


def _plot_recall(summary, path):
    """Per-class recall against training count: one panel per data set."""
    datasets = [
        d
        for d in summary.datasets
        if any((d, m) in summary.per_class for m in summary.methods)
    ]
    if not datasets:
        return False
    n_cols = min(3, len(datasets))
    n_rows = math.ceil(len(datasets) / n_cols)
    figure = _figure(4.2 * n_cols, 3.2 * n_rows + 0.6)
    axes = figure.subplots(n_rows, n_cols, squeeze=False).ravel()
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter, NullFormatter

    colors = _colors(summary.methods)
    markers = _markers(summary.methods)
    plotted = []
    for ax, dataset in zip(axes, datasets):
        lowest, highest = math.inf, 0.0
        for method in summary.methods:
            if (dataset, method) not in summary.per_class:
                continue
            counts, recall = summary.per_class[(dataset, method)]
            lowest, highest = min(lowest, counts.min()), max(highest, counts.max())
            plotted.append(method)
            order = np.argsort(counts)
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
        ax.set_title(dataset, fontsize=10)
        ax.set_xlabel("training rows of the class")
        ax.set_ylabel("recall")
        ax.grid(alpha=0.3)
    for ax in axes[len(datasets) :]:
        ax.set_visible(False)
    labels = [m for m in summary.methods if m in plotted]
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
    figure.savefig(path, dpi=110)
    return True


def _plot_ranks(summary, path):
    """Each method's rank on each data set, best mean rank at the top."""
    table = [r for r in summary.method_table() if r["datasets"]]
    if not table:
        return False
    figure = _figure(7, 0.45 * len(table) + 1.5)
    ax = figure.subplots()
    for y, row in enumerate(reversed(table)):
        ranks = [
            summary.ranks[d][row["method"]]
            for d in summary.datasets
            if row["method"] in summary.ranks[d]
        ]
        ax.scatter(ranks, [y] * len(ranks), color="0.6", s=14, zorder=2)
        ax.scatter([row["mean_rank"]], [y], color="C3", marker="D", s=40, zorder=3)
    ax.set_yticks(range(len(table)), [r["method"] for r in reversed(table)])
    ax.set_xlabel("rank on a data set (1 is best); red: mean rank")
    ax.invert_xaxis()
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(f"Ranks by {_SCORING_TITLES[summary.scoring]}")
    figure.savefig(path, dpi=110)
    return True


# -- the report ---------------------------------------------------------------


def _md_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += [
        "| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows
    ]
    return "\n".join(lines)


def _html_table(header, rows):
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _render(blocks, fmt):
    out = []
    for kind, *content in blocks:
        if fmt == "md":
            if kind == "h1":
                out.append(f"# {content[0]}")
            elif kind == "h2":
                out.append(f"## {content[0]}")
            elif kind == "p":
                out.append(content[0])
            elif kind == "ul":
                out.append("\n".join(f"- {item}" for item in content[0]))
            elif kind == "table":
                out.append(_md_table(*content))
            elif kind == "img":
                out.append(f"![{content[1]}]({content[0]})")
            elif kind == "pre":
                out.append(f"```\n{content[0]}\n```")
        else:
            if kind in ("h1", "h2", "p"):
                out.append(f"<{kind}>{html.escape(content[0])}</{kind}>")
            elif kind == "ul":
                items = "".join(f"<li>{html.escape(i)}</li>" for i in content[0])
                out.append(f"<ul>{items}</ul>")
            elif kind == "table":
                out.append(_html_table(*content))
            elif kind == "img":
                out.append(
                    f'<p><img src="{html.escape(content[0])}" '
                    f'alt="{html.escape(content[1])}"></p>'
                )
            elif kind == "pre":
                out.append(f"<pre>{html.escape(content[0])}</pre>")
    if fmt == "md":
        return "\n\n".join(out) + "\n"
    style = (
        "body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;"
        "padding:0 1rem}table{border-collapse:collapse;margin:1rem 0}"
        "td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}"
        "td:first-child,th:first-child{text-align:left}img{max-width:100%}"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>ltlearn compare</title><style>{style}</style></head><body>\n"
        + "\n".join(out)
        + "\n</body></html>\n"
    )


def _safe(name):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def write_report(comparison, summary, *, fmt="md", output=None):
    """Write ``report.md`` or ``report.html`` and its PNG plots.

    Parameters
    ----------
    comparison : Comparison
        The run.
    summary : Summary
        Its aggregate.
    fmt : {"md", "html"}, default="md"
        The report's format.
    output : path-like, default=None
        The directory; by default the run's output directory.

    Returns
    -------
    path : Path
        The report.
    """
    output = Path(output if output is not None else comparison.output)
    output.mkdir(parents=True, exist_ok=True)
    config = comparison.config
    title = _SCORING_TITLES[summary.scoring]
    blocks = [
        ("h1", "ltlearn compare"),
        (
            "p",
            f"ltlearn {ltlearn.__version__}, "
            f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC. Scoring: {title}; "
            f"{config['cv']}-fold stratified cross-validation, seed {config['seed']}, "
            f"backend {config['backend']}. Raw results, one row per fit: "
            "results.csv.",
        ),
        ("h2", "Summary"),
        ("pre", format_table(summary, config)),
    ]
    table = summary.method_table()
    per_dataset = [
        [
            dataset,
            *(
                f"{_fmt(summary.mean[(dataset, row['method'])])} ± "
                f"{_fmt(summary.std[(dataset, row['method'])])}"
                if (dataset, row["method"]) in summary.mean
                else "-"
                for row in table
            ),
        ]
        for dataset in summary.datasets
    ]
    blocks += [
        ("h2", f"{title} per data set (mean ± sd over folds)"),
        ("table", ["data set", *(row["method"] for row in table)], per_dataset),
    ]

    blocks.append(("h2", "Plots"))
    plots = output / "plots"
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        blocks.append(
            (
                "p",
                "Plots omitted: matplotlib is not installed (pip install "
                "'ltlearn[plot]').",
            )
        )
    else:
        plots.mkdir(exist_ok=True)
        if _plot_recall(summary, plots / "recall_vs_frequency.png"):
            blocks.append(("img", "plots/recall_vs_frequency.png", "per-class recall"))
        if _plot_ranks(summary, plots / "ranks.png"):
            blocks.append(("img", "plots/ranks.png", "ranks of the methods"))

    blocks += [
        ("h2", "Data sets"),
        (
            "table",
            [
                "data set",
                "rows",
                "features",
                "classes",
                "imbalance ratio",
                "unlabelled",
                "source",
            ],
            [
                [
                    i["name"],
                    i["n_samples"],
                    i["n_features"],
                    i["n_classes"],
                    f"{i['imbalance_ratio']:.1f}",
                    i["n_unlabelled"],
                    i["source"],
                ]
                for i in comparison.datasets
            ],
        ),
        ("h2", "Methods"),
        ("ul", [f"{m}: {RECIPES[m].summary}" for m in comparison.methods]),
    ]
    if comparison.skipped:
        blocks += [
            ("p", "Left out:"),
            ("ul", [f"{m}: {why}" for m, why in comparison.skipped.items()]),
        ]
    if summary.errors:
        blocks += [
            ("h2", "Failed fits"),
            (
                "table",
                ["data set", "method", "fold", "error"],
                [
                    [r["dataset"], r["method"], r["fold"], r["error"]]
                    for r in summary.errors
                ],
            ),
        ]
    path = output / f"report.{fmt}"
    path.write_text(_render(blocks, fmt), encoding="utf-8")
    return path
