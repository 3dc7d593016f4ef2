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
from ltlearn._compare._plots import plot_critical_difference, plot_ranks, plot_recall
from ltlearn._compare._stats import is_peer, rank_common
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


def _label(method):
    return f"{method} [peer]" if is_peer(method) else method


def _p(value):
    if value is None or math.isnan(value):
        return "-"
    return f"{value:.3f}" if value >= 0.001 else f"{value:.0e}"


def format_table(summary, config, ranking=None, skipped=None):
    """The terminal table over the data sets where every ranked method ran.

    Mean score and rank, fold spread, wins/ties/losses and the Wilcoxon
    signed-rank p-value against the best peer, and the fit time.
    """
    if ranking is None:
        ranking = rank_common(summary, skipped)
    title = _SCORING_TITLES[summary.scoring]
    n_common = len(ranking.datasets)
    lines = [
        f"{title}, {config['cv']}-fold cross-validation, over the {n_common} of "
        f"{len(summary.datasets)} data set(s) where every ranked method ran.",
        "mean: over data sets, of the means over folds; fold-sd: mean standard "
        "deviation over folds;",
        "mean rank: rank on each data set (1 is best), averaged; wins: data sets "
        "where best (ties count).",
    ]
    if ranking.best_peer is not None:
        lines.append(
            f"W/T/L and p: wins/ties/losses against the best peer, "
            f"{ranking.best_peer}, and the Wilcoxon signed-rank p-value."
        )
    header = ["method", "mean", "fold-sd", "mean rank", "wins", "W/T/L", "p", "fit s"]
    body = []
    for method in ranking.methods:
        wins = sum(
            ranks[method] == min(ranks.values()) for ranks in ranking.ranks.values()
        )
        versus = ranking.versus_peer.get(method)
        std = _nanmean([summary.std.get((d, method)) for d in ranking.datasets])
        fit = _nanmean([summary.fit_time.get((d, method)) for d in ranking.datasets])
        body.append(
            [
                _label(method),
                _fmt(ranking.mean[method]),
                _fmt(std),
                _fmt(ranking.mean_rank[method], 2),
                str(wins),
                "-" if versus is None else "/".join(map(str, versus[:3])),
                "-" if versus is None else _p(versus[3]),
                _fmt(fit, 2),
            ]
        )
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]

    def line(cells):
        return "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(cells, widths))
        )

    lines += ["", line(header), line(["-" * w for w in widths])]
    lines += [line(r) for r in body]
    if ranking.friedman is not None:
        statistic, p_value = ranking.friedman
        lines.append(
            f"\nFriedman test: chi2 = {statistic:.2f}, p = {_p(p_value)}; Nemenyi "
            f"critical difference of mean ranks (alpha=0.05): {ranking.cd:.2f}."
        )
    if ranking.best is not None:
        lines.append(f"Best on this data: {ranking.best}.")
    for dataset, why in ranking.left_out_datasets.items():
        lines.append(f"Left out data set {dataset}: {why}.")
    for method, why in ranking.left_out_methods.items():
        lines.append(f"Not ranked: {method}, {why}.")
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


# The per-class recall plot shows this many of the best methods, and the peers.
_RECALL_TOP = 4


def _recall_methods(summary, ranking):
    if len(summary.methods) <= _RECALL_TOP + 2:
        return list(summary.methods)
    top = ranking.methods[:_RECALL_TOP] or summary.methods[:_RECALL_TOP]
    peers = [m for m in summary.methods if is_peer(m)]
    return list(dict.fromkeys([*top, *peers]))


def _statistics_blocks(ranking, title):
    blocks = [("h2", "Statistics")]
    if not ranking.methods:
        return blocks + [("p", "No method ran on every data set.")]
    text = (
        f"Means and ranks are over the {len(ranking.datasets)} data set(s) where "
        f"every ranked method ran: {', '.join(ranking.datasets)}."
    )
    if ranking.friedman is not None:
        statistic, p_value = ranking.friedman
        verdict = "differ" if p_value < 0.05 else "do not differ significantly"
        text += (
            f" Friedman test over {len(ranking.methods)} methods: chi2 = "
            f"{statistic:.2f}, p = {_p(p_value)}, the mean ranks {verdict}. "
            f"Nemenyi critical difference (alpha=0.05): {ranking.cd:.2f}; two "
            "methods whose mean ranks differ by less are not told apart "
            "(Demšar, JMLR 2006)."
        )
    blocks.append(("p", text))
    if ranking.best_peer is not None:
        blocks += [
            (
                "p",
                f"Against the best peer, {ranking.best_peer}: data sets won, tied "
                "and lost, and the two-sided Wilcoxon signed-rank p-value of the "
                f"paired {title} scores.",
            ),
            (
                "table",
                ["method", f"mean {title}", "mean rank", "W/T/L", "Wilcoxon p"],
                [
                    [
                        _label(m),
                        _fmt(ranking.mean[m]),
                        _fmt(ranking.mean_rank[m], 2),
                        "/".join(map(str, ranking.versus_peer[m][:3]))
                        if m in ranking.versus_peer
                        else "(reference)",
                        _p(ranking.versus_peer[m][3])
                        if m in ranking.versus_peer
                        else "-",
                    ]
                    for m in ranking.methods
                ],
            ),
        ]
    left_out = [
        f"data set {d}: {why}" for d, why in ranking.left_out_datasets.items()
    ] + [f"method {m}: {why}" for m, why in ranking.left_out_methods.items()]
    if left_out:
        blocks += [("p", "Left out of the means and ranks:"), ("ul", left_out)]
    return blocks


def _categorical_note(comparison):
    """Which recipes handled the categorical columns themselves, and where."""
    native = [
        m for m in comparison.methods if m in RECIPES and RECIPES[m].native_categorical
    ]
    mixed = [i for i in comparison.datasets if i.get("n_categorical", 0)]
    if not native or not mixed:
        return None
    where = ", ".join(f"{i['name']} ({i['n_categorical']})" for i in mixed)
    return (
        f"{', '.join(native)}: on the data sets with categorical columns "
        f"({where}), SMOTE-NC (SMOTEN when every column is categorical) "
        "over-samples the category codes, each synthetic row taking the most "
        "frequent category of its neighbours, and the categories are one-hot "
        "encoded after the resampling; the other recipes see one-hot columns."
    )


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
    ranking = rank_common(summary, comparison.skipped)
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
        ("pre", format_table(summary, config, ranking)),
    ]
    if ranking.best is not None:
        blocks += [
            ("h2", "Use this"),
            (
                "p",
                f"Best on this data: {ranking.best} ({RECIPES[ranking.best].summary}), "
                f"mean rank {ranking.mean_rank[ranking.best]:.2f} over "
                f"{len(ranking.datasets)} data set(s). Refit it on all the data "
                "and save it with the same command and --save-best model.joblib; "
                f"or build it in Python with "
                f"ltlearn.recipes.make_recipe({ranking.best!r}) after your own "
                "preprocessing.",
            ),
        ]
    blocks += _statistics_blocks(ranking, title)
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
        if plot_critical_difference(ranking, plots / "critical_difference.png", title):
            blocks.append(
                ("img", "plots/critical_difference.png", "critical difference diagram")
            )
        shown = _recall_methods(summary, ranking)
        if plot_recall(summary, plots / "recall_vs_frequency.png", shown):
            if len(shown) < len(summary.methods):
                blocks.append(
                    ("p", "Per-class recall of the top methods and the peers.")
                )
            blocks.append(("img", "plots/recall_vs_frequency.png", "per-class recall"))
        if plot_ranks(summary, plots / "ranks.png", title):
            blocks.append(("img", "plots/ranks.png", "ranks of the methods"))

    blocks += [
        ("h2", "Data sets"),
        (
            "table",
            [
                "data set",
                "rows",
                "features",
                "categorical",
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
                    i.get("n_categorical", 0),
                    i["n_classes"],
                    f"{i['imbalance_ratio']:.1f}",
                    i["n_unlabelled"],
                    i["source"],
                ]
                for i in comparison.datasets
            ],
        ),
        ("h2", "Methods"),
        (
            "ul",
            [
                f"{_label(m)}: {RECIPES[m].summary}" if m in RECIPES else m
                for m in comparison.methods
            ],
        ),
    ]
    note = _categorical_note(comparison)
    if note:
        blocks.append(("p", note))
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
