"""The text tables of a comparison: the terminal summary and its cell formats."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import math

from ltlearn._compare._stats import is_peer, rank_common
from ltlearn._compare._summary import _SCORING_TITLES, _nanmean, _wins


def _fmt(value, digits=3):
    return "-" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _label(method):
    return f"{method} [peer]" if is_peer(method) else method


def _p(value):
    """A p-value to three decimals, or one significant digit below 0.001.

    A p-value below 0.05 takes the decimals that keep it below (0.0498, not
    0.050), as the verdict at alpha=0.05 reads the exact value.
    """
    if value is None or math.isnan(value):
        return "-"
    if value < 0.001:
        return f"{value:.0e}"
    digits = 3
    while value < 0.05 <= round(value, digits):
        digits += 1
    return f"{value:.{digits}f}"


def _versus(ranking, method):
    """``"W/T/L"`` and the Wilcoxon p-value against the best peer, or None."""
    versus = ranking.versus_peer.get(method)
    if versus is None:
        return None
    return "/".join(map(str, versus[:3])), _p(versus[3])


def _text_table(header, body):
    """Columns padded to their widest cell: the first left-aligned, others right."""
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]

    def line(cells):
        return "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(cells, widths))
        )

    return [line(header), line(["-" * w for w in widths])] + [line(r) for r in body]


def _grouped(summary):
    """`` grouped by 'patient_id'`` where folds keep groups of rows together
    (``--groups``), with the data set's name where there are several."""
    if not summary.groups:
        return ""
    by = (
        repr(column) if len(summary.datasets) == 1 else f"{column!r} on {name}"
        for name, column in summary.groups.items()
    )
    return f" grouped by {', '.join(by)}"


def _legend(summary, config, ranking, title):
    lines = [
        f"{title}{summary.defined()}, {config['cv']}-fold cross-validation"
        f"{_grouped(summary)}, over the "
        f"{len(ranking.datasets)} of {len(summary.datasets)} data set(s) where "
        "every ranked method ran.",
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
    return lines


def _method_rows(summary, ranking):
    body = []
    for method in ranking.methods:
        versus = _versus(ranking, method) or ("-", "-")
        std = _nanmean([summary.std.get((d, method)) for d in ranking.datasets])
        fit = _nanmean([summary.fit_time.get((d, method)) for d in ranking.datasets])
        body.append(
            [
                _label(method),
                _fmt(ranking.mean[method]),
                _fmt(std),
                _fmt(ranking.mean_rank[method], 2),
                str(_wins(ranking.ranks.values(), method)),
                *versus,
                _fmt(fit, 2),
            ]
        )
    return body


def _tie_note(ranking):
    """What says that the best method ties with others, or ``""``."""
    if not ranking.tied:
        return ""
    return (
        f" It ties with {', '.join(ranking.tied)}, of the same mean rank and "
        "mean (first by name): the scores do not tell them apart."
    )


def _notes(summary, ranking, title):
    lines = []
    if ranking.friedman is not None:
        statistic, p_value = ranking.friedman
        lines.append(
            f"\nFriedman test: chi2 = {statistic:.2f}, p = {_p(p_value)}; Nemenyi "
            f"critical difference of mean ranks (alpha=0.05): {ranking.cd:.2f}."
        )
    if ranking.best is not None:
        lines.append(f"Best on this data: {ranking.best}.{_tie_note(ranking)}")
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
    if summary.warned:
        gap = "" if summary.errors else "\n"
        lines.append(
            f"{gap}{len(summary.warned)} fit(s) raised warnings; see the "
            "'warnings' column of results.csv."
        )
    return lines


def format_table(summary, config, ranking=None, skipped=None):
    """The terminal table over the data sets where every ranked method ran.

    Mean score and rank, fold spread, wins/ties/losses and the Wilcoxon
    signed-rank p-value against the best peer, and the fit time.
    """
    if ranking is None:
        ranking = rank_common(summary, skipped)
    title = _SCORING_TITLES[summary.scoring]
    header = ["method", "mean", "fold-sd", "mean rank", "wins", "W/T/L", "p", "fit s"]
    lines = [
        *_legend(summary, config, ranking, title),
        "",
        *_text_table(header, _method_rows(summary, ranking)),
        *_notes(summary, ranking, title),
    ]
    return "\n".join(lines)
