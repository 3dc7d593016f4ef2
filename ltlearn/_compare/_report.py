"""The report of a comparison: its blocks, assembled into ``report.md`` or ``.html``."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib
import math
import shutil
import tempfile
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import ltlearn
from ltlearn._compare._data import utf8_text
from ltlearn._compare._options import REPORT_FORMATS
from ltlearn._compare._plots import (
    plot_critical_difference,
    plot_ranks,
    plot_recall,
    recall_methods,
)
from ltlearn._compare._render import render
from ltlearn._compare._results import named, naming, replacing_together, visible
from ltlearn._compare._stats import rank_common
from ltlearn._compare._summary import _SCORING_TITLES
from ltlearn._compare._tables import (
    _fmt,
    _grouped,
    _label,
    _p,
    _tie_note,
    _versus,
    format_table,
)
from ltlearn.recipes._registry import RECIPES


def _header_blocks(config, title, summary):
    folds = f"{config['cv']}-fold stratified cross-validation{_grouped(summary)}"
    return [
        ("h1", "ltlearn compare"),
        (
            "p",
            f"ltlearn {ltlearn.__version__}, "
            f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC. Scoring: {title}; "
            f"{folds}, seed {config['seed']}, "
            f"backend {config['backend']}. Raw results, one row per fit: "
            "results.csv.",
        ),
    ]


def _summary_blocks(summary, config, ranking):
    blocks = [("h2", "Summary"), ("pre", format_table(summary, config, ranking))]
    if ranking.best is None:
        return blocks
    best = ranking.best
    if len(summary.datasets) == 1:
        save = "Refit it on all the data and save it with the same command and "
    else:
        # --save-best refits on one data set and refuses several, and saves
        # the best there: --methods keeps it to this one.
        save = (
            "Refit it on all of one data set and save it with a single "
            f"--datasets name (or --data FILE --target COLUMN), --methods {best} "
            "and "
        )
    return blocks + [
        ("h2", "Use this"),
        (
            "p",
            f"Best on this data: {best} ({RECIPES[best].summary}), "
            f"mean rank {ranking.mean_rank[best]:.2f} over "
            f"{len(ranking.datasets)} data set(s).{_tie_note(ranking)} "
            f"{save}--save-best model.joblib; "
            f"or build it in Python with ltlearn.recipes.make_recipe({best!r}) "
            "after your own preprocessing.",
        ),
    ]


def _friedman_text(ranking):
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
    return text


def _versus_peer_blocks(ranking, title):
    if ranking.best_peer is None:
        return []
    rows = [
        [
            _label(m),
            _fmt(ranking.mean[m]),
            _fmt(ranking.mean_rank[m], 2),
            *(_versus(ranking, m) or ("(reference)", "-")),
        ]
        for m in ranking.methods
    ]
    return [
        (
            "p",
            f"Against the best peer, {ranking.best_peer}: data sets won, tied "
            "and lost, and the two-sided Wilcoxon signed-rank p-value of the "
            f"paired {title} scores.",
        ),
        (
            "table",
            ["method", f"mean {title}", "mean rank", "W/T/L", "Wilcoxon p"],
            rows,
        ),
    ]


def _statistics_blocks(ranking, title):
    blocks = [("h2", "Statistics")]
    if not ranking.methods:
        return blocks + [("p", "No method ran on every data set.")]
    blocks.append(("p", _friedman_text(ranking)))
    blocks += _versus_peer_blocks(ranking, title)
    left_out = [
        f"data set {d}: {why}" for d, why in ranking.left_out_datasets.items()
    ] + [f"method {m}: {why}" for m, why in ranking.left_out_methods.items()]
    if left_out:
        blocks += [("p", "Left out of the means and ranks:"), ("ul", left_out)]
    return blocks


def _per_dataset_blocks(summary, title):
    methods = [row["method"] for row in summary.method_table()]
    failed = Counter((row["dataset"], row["method"]) for row in summary.errors)

    def cell(dataset, method):
        if (dataset, method) not in summary.mean:
            return "-"
        key = (dataset, method)
        mean = summary.mean[key]
        # no score (a few-shot accuracy with no few-shot class): one dash
        text = "-" if math.isnan(mean) else f"{_fmt(mean)} ± {_fmt(summary.std[key])}"
        if failed[key]:
            # over the folds that fitted: not comparable with a whole row
            text += f" ({failed[key]} fold(s) failed)"
        return text

    rows = [[d, *(cell(d, m) for m in methods)] for d in summary.datasets]
    return [
        ("h2", f"{title} per data set (mean ± sd over folds)"),
        ("table", ["data set", *methods], rows),
    ]


_PLOTS = ("critical_difference.png", "recall_vs_frequency.png", "ranks.png")


def _matplotlib_missing():
    """Why the plots cannot be drawn here, or None when they can."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return "matplotlib is not installed (pip install 'ltlearn[plot]')"
    except Exception as exc:  # a setting it refuses on import: MPLBACKEND=Agg2
        return f"matplotlib cannot be imported here ({type(exc).__name__}: {exc})"
    return None


def _plot_blocks(summary, ranking, folder, title, omitted=None):
    """The blocks of the plots, drawn in ``folder``; if None, ``omitted`` says why."""
    blocks = [("h2", "Plots")]
    if folder is None:
        return blocks + [("p", f"Plots omitted: {omitted}.")]
    if plot_critical_difference(ranking, folder / "critical_difference.png", title):
        blocks.append(
            ("img", "plots/critical_difference.png", "critical difference diagram")
        )
    shown = recall_methods(summary, ranking)
    if plot_recall(summary, folder / "recall_vs_frequency.png", shown):
        if len(shown) < len(summary.methods):
            blocks.append(("p", "Per-class recall of the top methods and the peers."))
        blocks.append(("img", "plots/recall_vs_frequency.png", "per-class recall"))
    if plot_ranks(ranking, folder / "ranks.png", title):
        blocks.append(("img", "plots/ranks.png", "ranks of the methods"))
    return blocks


def _drafts(plots):
    """A new hidden folder in ``plots``, where the plots are drawn first.

    One that cannot be made is named by ``plots``: its own name, which the
    error leaves no trace of, was named.
    """
    with naming(plots):
        return tempfile.TemporaryDirectory(prefix=".tmp", dir=plots)


# The files of a report in its output directory (``--save-best`` must not
# name one of them).
PLOTS_DIR = "plots"


def report_paths(output):
    """The report files :func:`write_report` may write in ``output``."""
    return [Path(output) / f"report.{kind}" for kind in REPORT_FORMATS]


_DATASET_COLUMNS = [
    "data set",
    "rows",
    "features",
    "categorical",
    "classes",
    "imbalance ratio",
    "unlabelled",
    "source",
]


def _dataset_blocks(comparison):
    rows = [
        [
            i["name"],
            i["n_samples"],
            i["n_features"],
            i.get("n_categorical", 0),
            i["n_classes"],
            f"{i['imbalance_ratio']:.1f}",
            i["n_unlabelled"],
            visible(utf8_text(i["source"])),
        ]
        for i in comparison.datasets
    ]
    blocks = [("h2", "Data sets"), ("table", _DATASET_COLUMNS, rows)]
    notes = [
        f"{info['name']}: {note}"
        for info in comparison.datasets
        for note in info.get("notes", ())
    ]
    if notes:
        blocks += [("p", "How the columns were read:"), ("ul", notes)]
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


def _method_blocks(comparison):
    described = [
        f"{_label(m)}: {RECIPES[m].summary}" if m in RECIPES else m
        for m in comparison.methods
    ]
    blocks = [("h2", "Methods"), ("ul", described)]
    note = _categorical_note(comparison)
    if note:
        blocks.append(("p", note))
    if comparison.skipped:
        blocks += [
            ("p", "Left out:"),
            ("ul", [f"{m}: {why}" for m, why in comparison.skipped.items()]),
        ]
    return blocks


def _failed_blocks(summary):
    if not summary.errors:
        return []
    rows = [[r["dataset"], r["method"], r["fold"], r["error"]] for r in summary.errors]
    return [
        ("h2", "Failed fits"),
        ("table", ["data set", "method", "fold", "error"], rows),
    ]


def write_report(comparison, summary, *, fmt="md"):
    """Write ``report.md`` or ``report.html`` and its plots in the run's ``output``.

    A report of the other format already in the directory is rewritten
    with this comparison's, since the plots it shows are replaced.

    Parameters
    ----------
    comparison : Comparison
        The run.
    summary : Summary
        Its aggregate.
    fmt : {"md", "html"}, default="md"
        The report's format.

    Returns
    -------
    path : Path
        The report.
    """
    output = Path(comparison.output)
    output.mkdir(parents=True, exist_ok=True)
    title = _SCORING_TITLES[summary.scoring]
    ranking = rank_common(summary, comparison.skipped)
    omitted = _matplotlib_missing()
    drawing = omitted is None
    plots = output / PLOTS_DIR
    if drawing:
        plots.mkdir(exist_ok=True)
    # Everything is drawn and written aside first, then moved in place: a
    # failure or an interrupt before leaves the previous report with its own
    # plots, never beside another comparison's.
    reports = {
        path: kind
        for kind, path in zip(REPORT_FORMATS, report_paths(output))
        if kind == fmt or path.exists()
    }
    with _drafts(plots) if drawing else contextlib.nullcontext() as folder:
        try:
            drawn = _plot_blocks(
                summary, ranking, Path(folder) if drawing else None, title, omitted
            )
        except OSError as exc:
            if drawing and exc.filename and Path(exc.filename).parent == Path(folder):
                # The plot the user finds, not its draft in the folder removed.
                raise named(exc, plots / Path(exc.filename).name) from None
            raise
        blocks = [
            *_header_blocks(comparison.config, title + summary.defined(), summary),
            *_summary_blocks(summary, comparison.config, ranking),
            *_statistics_blocks(ranking, title),
            *_per_dataset_blocks(summary, title),
            *drawn,
            *_dataset_blocks(comparison),
            *_method_blocks(comparison),
            *_failed_blocks(summary),
        ]
        # The plots and the reports replace the previous ones together. A
        # plot that this comparison does not draw is removed, also where it
        # draws none (no matplotlib): one of an earlier comparison in the
        # directory would pass for this one's.
        paths = [
            *(plots / name for name in _PLOTS if drawing or (plots / name).exists()),
            *reports,
        ]
        with replacing_together(paths) as temporaries:
            for path, temporary in zip(paths, temporaries):
                if path in reports:
                    text = utf8_text(render(blocks, reports[path]))
                    temporary.write_text(text, encoding="utf-8")
                elif drawing and (Path(folder) / path.name).exists():
                    shutil.copyfile(Path(folder) / path.name, temporary)
                else:
                    temporary.unlink()
    return output / f"report.{fmt}"
