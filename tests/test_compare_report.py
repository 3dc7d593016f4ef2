"""The statistics, plots and --save-best of ``ltlearn compare``."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import math
import subprocess
import sys

import numpy as np
import pytest
from scipy.stats import friedmanchisquare, wilcoxon
from sklearn.datasets import make_classification

from ltlearn._compare._render import render
from ltlearn._compare._report import _summary_blocks
from ltlearn._compare._stats import critical_difference, rank_common
from ltlearn._compare._summary import Summary
from ltlearn._compare._tables import format_table
from ltlearn.cli import main

pd = pytest.importorskip("pandas")


def _summary(scores, errors=()):
    """A Summary from ``{(data set, method): mean score}``."""
    datasets = list(dict.fromkeys(d for d, _ in scores))
    methods = list(dict.fromkeys(m for _, m in scores))
    return Summary(
        scoring="balanced_accuracy",
        datasets=datasets,
        methods=methods,
        mean=dict(scores),
        std=dict.fromkeys(scores, 0.01),
        fit_time=dict.fromkeys(scores, 0.1),
        ranks={},
        per_class={},
        errors=list(errors),
        unscored=[],
    )


def test_critical_difference_matches_demsar_table():
    # Demsar (2006), Table 5(a): q_0.05 = 1.960, 2.343, 2.569, 3.164 for k=2,3,4,10.
    for k, q in [(2, 1.960), (3, 2.343), (4, 2.569), (10, 3.164)]:
        expected = q * math.sqrt(k * (k + 1) / (6 * 20))
        assert critical_difference(k, 20) == pytest.approx(expected, abs=1e-3)


def test_ranking_uses_only_data_sets_where_every_method_ran_and_says_why():
    rng = np.random.RandomState(0)
    scores = {}
    for i in range(6):
        base = rng.uniform(0.6, 0.8)
        scores[(f"d{i}", "plugin")] = base + 0.05
        scores[(f"d{i}", "brf")] = base + 0.02 * (i % 2)
        scores[(f"d{i}", "plain")] = base - 0.1
    # plain failed on d5: d5 is left out of everyone's mean and rank.
    errors = [{"dataset": "d5", "method": "plain", "fold": 0, "error": "ValueError: x"}]
    scores[("d5", "plain")] = 0.1
    ranking = rank_common(_summary(scores, errors))
    assert ranking.datasets == [f"d{i}" for i in range(5)]
    assert "d5" in ranking.left_out_datasets
    assert "plain failed (ValueError: x)" in ranking.left_out_datasets["d5"]
    assert ranking.methods == ["plugin", "brf", "plain"]
    assert ranking.best == "plugin" and ranking.best_peer == "brf"
    assert ranking.mean["plugin"] == pytest.approx(
        np.mean([scores[(f"d{i}", "plugin")] for i in range(5)])
    )
    columns = [[scores[(f"d{i}", m)] for i in range(5)] for m in ranking.methods]
    assert ranking.friedman[0] == pytest.approx(friedmanchisquare(*columns)[0])
    assert ranking.cd == pytest.approx(critical_difference(3, 5))
    wins, ties, losses, p_value = ranking.versus_peer["plugin"]
    assert (wins, ties, losses) == (5, 0, 0)
    assert p_value == pytest.approx(wilcoxon(columns[0], columns[1]).pvalue)
    assert ranking.versus_peer["plain"][:3] == (0, 0, 5)
    text = format_table(_summary(scores, errors), {"cv": 2})
    assert "over the 5 of 6 data set(s)" in text
    assert "brf [peer]" in text and "Friedman test" in text
    assert "Best on this data: plugin." in text
    assert "Left out data set d5: plain failed" in text


def test_a_best_method_tied_with_others_says_so():
    # With many classes the G-mean of every method is 0 (one class of zero
    # recall suffices); the table named the first by name "Best on this
    # data" without a word of the tie.
    scores = {("d0", m): 0.0 for m in ("smote", "plain", "plugin")}
    scores[("d0", "smote")] = -1.0
    ranking = rank_common(_summary(scores))
    assert ranking.best == "plain" and ranking.tied == ["plugin"]
    text = format_table(_summary(scores), {"cv": 2})
    assert (
        "Best on this data: plain. It ties with plugin, of the same mean rank "
        "and mean (first by name): the scores do not tell them apart."
    ) in text
    # and the reports' advice, in both formats
    blocks = _summary_blocks(_summary(scores), {"cv": 2}, ranking)
    for fmt in ("md", "html"):
        advice = render(blocks, fmt).split("mean rank 1.50 over 1 data set(s).")[1]
        assert advice.startswith(" It ties with plugin, of the same mean rank")
    scores[("d0", "plugin")] = 0.1
    assert rank_common(_summary(scores)).tied == []


def test_methods_tied_up_to_rounding_come_first_by_name():
    # Scores that differ past the 10 decimals the ranks read tie, but the
    # order took the exact mean: "plugin" was best, "tied with plain ...
    # (first by name)".
    scores = {("d0", "plain"): 0.5, ("d0", "plugin"): 0.5 + 1e-12}
    scores.update({("d1", "plain"): 0.7, ("d1", "plugin"): 0.7 + 1e-12})
    ranking = rank_common(_summary(scores))
    assert ranking.best == "plain" and ranking.tied == ["plugin"]
    assert ranking.methods == ["plain", "plugin"]


def test_a_method_that_ran_on_few_data_sets_is_not_ranked():
    scores = {(f"d{i}", m): 0.5 + 0.1 * j for i in range(4) for j, m in enumerate("ab")}
    scores[("d0", "crest")] = 0.9
    ranking = rank_common(_summary(scores), {"crest": "semi-supervised"})
    assert ranking.methods == ["b", "a"]
    assert len(ranking.datasets) == 4
    assert (
        "ran on 1 of 4 data sets (semi-supervised)" in ranking.left_out_methods["crest"]
    )


def _csv(path, n_samples=160):
    X, y = make_classification(
        n_samples=n_samples,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        weights=[0.8],
        random_state=0,
    )
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    frame["colour"] = np.where(X[:, 0] > 0, "red", "blue")
    frame["label"] = np.where(y == 1, "churn", "stay")
    frame.to_csv(path, index=False)
    return frame


def test_save_best_refits_the_best_recipe_which_predicts_in_a_fresh_process(
    tmp_path, capsys
):
    frame = _csv(tmp_path / "data.csv")
    model_path = tmp_path / "model" / "best.joblib"
    status = main(
        [
            "compare",
            "--data",
            str(tmp_path / "data.csv"),
            "--target",
            "label",
            *"--methods plain class_weight brf --cv 2 --n-jobs 1".split(),
            "--no-progress",
            "--output",
            str(tmp_path / "out"),
            "--save-best",
            str(model_path),
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    best = out.split("Best on this data: ")[1].split(".")[0]
    assert f"({best}, refitted on all the data)" in out
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert f"Best on this data: {best}" in report
    assert "## Statistics" in report and "brf [peer]" in report
    frame.drop(columns="label").head(20).to_csv(tmp_path / "new.csv", index=False)
    code = (
        "import sys, joblib, pandas as pd\n"
        "model = joblib.load(sys.argv[1])\n"
        "pred = model.predict(pd.read_csv(sys.argv[2]))\n"
        "print(type(model[-1]).__name__, len(pred), sorted(set(pred)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(model_path), str(tmp_path / "new.csv")],
        capture_output=True,
        text=True,
        check=True,
    )
    name, n_pred, labels = result.stdout.split(" ", 2)
    assert int(n_pred) == 20
    assert set(eval(labels)) <= {"churn", "stay"}  # a printed list of labels
    assert name in {"LogisticRegression", "BalancedRandomForestClassifier"}


def test_save_best_needs_one_data_set(capsys):
    status = main(
        ["compare", "--datasets", "ecoli1", "glass4", "--save-best", "m.joblib"]
    )
    assert status == 2
    assert "--save-best refits the best recipe on one data set" in (
        capsys.readouterr().err
    )


def test_report_has_the_critical_difference_diagram_and_a_readable_recall_plot(
    tmp_path,
):
    pytest.importorskip("matplotlib")
    methods = ["plain", "class_weight", "logit_adjustment", "threshold_moving"]
    methods += ["smote", "plugin", "brf", "rusboost"]
    status = main(
        ["compare", "--datasets", "ecoli1", "glass4"]
        + ["--methods", *methods, "--cv", "2", "--n-jobs", "1", "--no-progress"]
        + ["--output", str(tmp_path / "out")]
    )
    assert status == 0
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "plots/critical_difference.png" in report
    assert (tmp_path / "out" / "plots" / "critical_difference.png").stat().st_size
    assert "Per-class recall of the top methods and the peers." in report


def test_a_binary_only_peer_is_skipped_on_multiclass_data_with_the_reason():
    from ltlearn._compare._data import Dataset
    from ltlearn._compare._runner import run_comparison
    from ltlearn.recipes._registry import resolve_methods

    X, y = make_classification(
        n_samples=90,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        n_clusters_per_class=1,
        random_state=0,
    )
    data = Dataset("three", X, y.astype(np.int64), np.arange(3))
    recipes, _ = resolve_methods(["plain", "tuned_threshold"])
    comparison = run_comparison([data], recipes, cv=2, progress=False)
    assert {row["method"] for row in comparison.rows} == {"plain"}
    assert comparison.skipped["tuned_threshold"] == "binary only; not run on three"
