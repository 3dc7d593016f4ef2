"""The statistics, plots and --save-best of ``ltlearn compare``."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import json
import math
import re
import subprocess
import sys
import warnings

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import friedmanchisquare, wilcoxon
from sklearn.base import clone
from sklearn.datasets import make_classification

from ltlearn._compare._render import render
from ltlearn._compare._report import (
    _per_dataset_blocks,
    _statistics_blocks,
    _summary_blocks,
)
from ltlearn._compare._stats import critical_difference, rank_common
from ltlearn._compare._summary import (
    Summary,
    _collect,
    _few_shot,
    _over_folds,
    _rank_per_dataset,
)
from ltlearn._compare._tables import _p, format_table
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


def test_few_shot_accuracy_of_a_fold_is_macro_over_its_few_shot_classes():
    # The classes of fewer than few_threshold training rows that the test
    # fold holds (a recall of None: none of its rows), as shot_accuracy.
    def row(train_count, recall):
        per_class = {"train_count": train_count, "recall": recall}
        return {"class_recall": json.dumps(per_class)}

    fold = row([20, 19, 3, 2, 100], [0.9, 0.5, None, 0.25, 0.1])
    assert _few_shot(fold, 20) == pytest.approx((0.5 + 0.25) / 2)
    assert math.isnan(_few_shot(row([20, 3], [1.0, None]), 20))


def test_the_summary_of_the_folds():
    # The folds in their order, whatever order the fits finished in; a fold
    # without a score (NaN) left out of the mean and sd.
    rows = [
        {"dataset": "d0", "method": "plain", "fold": fold, "status": "ok",
         "balanced_accuracy": score, "fit_time": 1.0, "class_recall": ""}
        for fold, score in ((2, 0.3), (0, 0.1), (3, np.nan), (1, 0.2))
    ]  # fmt: skip
    scores, times, _, _ = _collect(rows, "balanced_accuracy", 20)
    assert scores[("d0", "plain")][:3] == [0.1, 0.2, 0.3]
    # per class: the mean training count, the recall over the folds that
    # hold the class (NaN in the others)
    folds = [([6, 3], [0.5, np.nan]), ([5, 4], [0.7, 1.0])]
    mean, std, _, per_class = _over_folds(scores, times, {("d0", "plain"): folds})
    assert mean[("d0", "plain")] == pytest.approx(0.2)
    # the spread over the folds as GridSearchCV's std_test_score (ddof=0)
    assert std[("d0", "plain")] == pytest.approx(np.std([0.1, 0.2, 0.3]))
    counts, recall = per_class[("d0", "plain")]
    assert_allclose(counts, [5.5, 3.5])
    assert_allclose(recall, [0.6, 1.0])
    # scores equal to 10 decimals tie on the average rank
    mean = {("d0", "a"): 0.7, ("d0", "b"): 0.7 + 1e-12, ("d0", "c"): 0.5}
    ranks, unscored = _rank_per_dataset(["d0", "d1"], ["a", "b", "c"], mean)
    assert ranks == {"d0": {"a": 1.5, "b": 1.5, "c": 3.0}, "d1": {}}
    assert unscored == ["d1"]
    # a method without a rank comes last in the method table
    summary = _summary({("d0", "plain"): 0.5, ("d0", "smote"): 0.6})
    summary.methods.append("crest")
    summary.ranks = {"d0": {"smote": 1.0, "plain": 2.0}}
    table = summary.method_table()
    assert [row["method"] for row in table] == ["smote", "plain", "crest"]


def test_critical_difference_matches_demsar_table():
    # Demsar (2006), Table 5(a): q_0.05 = 1.960, 2.343, 2.569, 3.164 for k=2,3,4,10.
    for k, q in [(2, 1.960), (3, 2.343), (4, 2.569), (10, 3.164)]:
        expected = q * math.sqrt(k * (k + 1) / (6 * 20))
        assert critical_difference(k, 20) == pytest.approx(expected, abs=1e-3)


def test_a_long_error_is_cut_at_a_word_and_says_it_was_cut():
    # The default run's rusboost error was cut at 80 characters in the middle
    # of its sentence: "... is worse than random, )".
    error = (
        "ValueError: BaseClassifier in AdaBoostClassifier ensemble is worse "
        "than random, ensemble can not be fit."
    )
    scores = {(f"d{i}", m): 0.7 for i in range(4) for m in ("a", "b")}
    errors = [{"dataset": "d3", "method": "b", "fold": 0, "error": error}]
    why = rank_common(_summary(scores, errors)).left_out_datasets["d3"]
    assert why == (
        "b failed (ValueError: BaseClassifier in AdaBoostClassifier ensemble is "
        "worse than random...)"
    )
    short = [{"dataset": "d3", "method": "b", "fold": 0, "error": "ValueError: x"}]
    assert rank_common(_summary(scores, short)).left_out_datasets["d3"] == (
        "b failed (ValueError: x)"
    )
    # 80 characters are kept whole; a cut before a space keeps its last word
    exact = "ValueError: " + "a" * 67 + "."
    at_space = exact[:-1] + "b and more"
    for error, shown in ((exact, exact), (at_space, at_space[:80] + "...")):
        errors[0]["error"] = error
        why = rank_common(_summary(scores, errors)).left_out_datasets["d3"]
        assert why == f"b failed ({shown})"


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


def _p_without_ties(ours, peer):
    """The signed-rank p-value of the differences that are not zero."""
    differences = np.subtract(ours, peer)
    return wilcoxon(differences[differences != 0]).pvalue


def _plugin_against_brf():
    """Scores of plugin and of the peer brf on 8 data sets: 4 wins, 2 ties."""
    ours = [0.70, 0.71, 0.65, 0.86, 0.74, 0.70, 0.97, 0.57]
    peer = [0.70, 0.71, 0.62, 0.80, 0.75, 0.66, 0.90, 0.58]
    scores = {}
    for i, (a, b) in enumerate(zip(ours, peer)):
        scores[(f"d{i}", "plugin")] = a
        scores[(f"d{i}", "brf")] = b
    return scores, ours, peer


def test_the_wilcoxon_p_value_leaves_the_tied_data_sets_out():
    # The documented rule: the data sets a method ties with the peer count as
    # ties and are left out of the signed-rank test (scipy's default).
    scores, ours, peer = _plugin_against_brf()
    wins, ties, losses, p_value = rank_common(_summary(scores)).versus_peer["plugin"]
    assert (wins, ties, losses) == (4, 2, 2)
    # the zero differences left out before the test: given them, scipy 1.11
    # took the normal approximation (p = 0.115), newer scipy the exact
    # distribution of the others (0.156), which every version now gives
    assert p_value == pytest.approx(_p_without_ties(ours, peer))
    assert p_value != pytest.approx(wilcoxon(ours, peer, zero_method="zsplit").pvalue)
    assert p_value != pytest.approx(wilcoxon(ours, peer, zero_method="pratt").pvalue)


def test_the_wilcoxon_p_value_ties_differences_equal_up_to_rounding():
    # 0.3 - 0.2, 0.7 - 0.6 and 0.2 - 0.1 are 0.1 apart from rounding error:
    # the signed-rank test gave them three ranks and p = 0.25, where the
    # differences of 1, 1, -1, 4 and 1 tenths give 0.3125.
    ours, peer = [0.3, 0.7, 0.5, 0.9, 0.2], [0.2, 0.6, 0.6, 0.5, 0.1]
    scores = {}
    for i, (a, b) in enumerate(zip(ours, peer)):
        scores.update({(f"d{i}", "plugin"): a, (f"d{i}", "brf"): b})
    versus = rank_common(_summary(scores)).versus_peer["plugin"]
    assert versus[:3] == (4, 0, 1)
    assert versus[3] == pytest.approx(wilcoxon([1, 1, -1, 4, 1]).pvalue)


def test_the_wilcoxon_p_value_ties_differences_of_repeating_decimals():
    # Rounded first, 1 - 2/3 and 2/3 - 1/3 read 0.3333333333 and
    # 0.3333333334: two signed ranks and p = 0.3125, where the differences
    # of 10, 10, -3, -9 and 12 thirtieths give 0.25.
    ours, peer = [1, 2 / 3, 0.5, 0.2, 0.9], [2 / 3, 1 / 3, 0.6, 0.5, 0.5]
    scores = {}
    for i, (a, b) in enumerate(zip(ours, peer)):
        scores.update({(f"d{i}", "plugin"): a, (f"d{i}", "brf"): b})
    versus = rank_common(_summary(scores)).versus_peer["plugin"]
    assert versus[:3] == (3, 0, 2)
    assert versus[3] == pytest.approx(wilcoxon([10, 10, -3, -9, 12]).pvalue)


def test_the_tests_of_methods_that_never_differ():
    # Every method tied on every data set: Friedman's statistic is 0 and its
    # p-value 1, as is the p-value of a method identical to the peer, which
    # is not compared with itself (scipy's tests warn of a division by zero
    # there). Two methods have a critical difference.
    scores = {(f"d{i}", m): 0.7 for i in range(3) for m in ("plugin", "brf", "plain")}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ranking = rank_common(_summary(scores))
    assert ranking.friedman == (0.0, 1.0)
    assert ranking.best_peer == "brf"
    assert ranking.versus_peer == {"plugin": (0, 3, 0, 1.0), "plain": (0, 3, 0, 1.0)}
    two = rank_common(_summary({k: v for k, v in scores.items() if k[1] != "plain"}))
    assert two.friedman is None
    assert two.cd == pytest.approx(critical_difference(2, 3))


def test_the_table_lines_up_each_method_against_the_peer():
    scores, ours, peer = _plugin_against_brf()
    lines = format_table(_summary(scores), {"cv": 2}).splitlines()
    assert lines[3] == (
        "W/T/L and p: wins/ties/losses against the best peer, brf, and the "
        "Wilcoxon signed-rank p-value."
    )
    p_value = f"{_p_without_ties(ours, peer):.3f}"
    assert lines[5:9] == [
        "method       mean  fold-sd  mean rank  wins  W/T/L      p  fit s",
        "----------  -----  -------  ---------  ----  -----  -----  -----",
        f"plugin      0.738    0.010       1.38     6  4/2/2  {p_value}   0.10",
        "brf [peer]  0.715    0.010       1.62     4      -      -   0.10",
    ]


def test_the_table_says_why_a_data_set_has_no_score():
    # few-shot accuracy has no score on data without a few-shot class
    scores = {("d0", m): 0.7 for m in ("plugin", "plain")}
    summary = _summary(scores)
    summary.datasets.append("d1")
    summary.unscored.append("d1")
    reasons = {
        "balanced_accuracy": "every fit failed",
        "few_shot_accuracy": "no few-shot class, or every fit failed",
    }
    for scoring, why in reasons.items():
        summary.scoring = scoring
        assert f"on: d1 ({why})." in format_table(summary, {"cv": 2})
    # and what the few-shot score is, by default
    assert "(mean recall of the classes of fewer than 20 training rows)" in (
        format_table(summary, {"cv": 2})
    )


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


def test_the_table_gives_p_values_below_a_thousandth_in_scientific_notation():
    # 3 methods in the same order on 20 data sets: Friedman's chi2 is 40
    # and p = exp(-20), which three decimals would show as 0.000
    scores = {}
    for i in range(20):
        for rank, method in enumerate(("plugin", "smote", "plain")):
            scores[(f"d{i}", method)] = 0.9 - 0.1 * rank - 0.001 * i
    text = format_table(_summary(scores), {"cv": 2})
    shown = re.search(r"Friedman test: chi2 = 40\.00, p = (\S+);", text).group(1)
    assert float(shown) == pytest.approx(math.exp(-20), rel=0.05)


def test_a_friedman_p_value_below_alpha_does_not_read_as_alpha():
    # 3 methods in the same order on 3 data sets: chi2 = 6 and p = exp(-3)
    # = 0.0498, which read "p = 0.050, the mean ranks differ".
    scores = {}
    for i in range(3):
        for rank, method in enumerate(("plugin", "smote", "plain")):
            scores[(f"d{i}", method)] = 0.9 - 0.1 * rank - 0.01 * i
    ranking = rank_common(_summary(scores))
    assert ranking.friedman[1] == pytest.approx(math.exp(-3))
    text = _statistics_blocks(ranking, "BA")[1][1]
    assert "chi2 = 6.00, p = 0.0498, the mean ranks differ." in text
    table = format_table(_summary(scores), {"cv": 2})
    assert "Friedman test: chi2 = 6.00, p = 0.0498;" in table


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


def test_a_method_is_set_aside_until_half_of_an_odd_number_of_data_sets_is_common():
    # 5 data sets: at least 3 in common, so "c", which ran on 2, is set aside
    scores = {(f"d{i}", m): 0.5 + 0.1 * j for i in range(5) for j, m in enumerate("ab")}
    scores.update({("d0", "c"): 0.9, ("d1", "c"): 0.9})
    ranking = rank_common(_summary(scores))
    assert ranking.methods == ["b", "a"] and len(ranking.datasets) == 5
    assert "ran on 2 of 5 data sets" in ranking.left_out_methods["c"]


def test_methods_of_the_same_mean_rank_are_ordered_by_mean():
    scores = {("d0", "a"): 0.5, ("d0", "b"): 0.9, ("d1", "a"): 0.6, ("d1", "b"): 0.5}
    ranking = rank_common(_summary(scores))
    assert ranking.mean_rank == {"b": 1.5, "a": 1.5}
    assert ranking.methods == ["b", "a"] and ranking.best == "b"
    assert ranking.tied == []


def test_wins_ties_and_losses_against_the_peer_count_each_data_set_once():
    scores = {(f"d{i}", "brf"): 0.5 for i in range(3)}
    scores.update({("d0", "plugin"): 0.6, ("d1", "plugin"): 0.5})
    scores[("d2", "plugin")] = 0.4
    ranking = rank_common(_summary(scores))
    assert ranking.best_peer == "brf"
    assert ranking.versus_peer["plugin"][:3] == (1, 1, 1)


def test_a_score_of_nan_counts_as_not_run():
    scores = {(f"d{i}", m): 0.5 + 0.1 * j for i in range(2) for j, m in enumerate("ab")}
    scores.update({("d0", "c"): 0.7, ("d1", "c"): np.nan})
    ranking = rank_common(_summary(scores))
    assert ranking.methods == ["b", "a"] and ranking.datasets == ["d0", "d1"]
    assert "ran on 1 of 2 data sets" in ranking.left_out_methods["c"]


def test_no_critical_difference_over_a_single_data_set():
    ranking = rank_common(_summary({("d0", "a"): 0.5, ("d0", "b"): 0.6}))
    assert ranking.methods == ["b", "a"] and ranking.cd is None


def test_two_methods_are_never_set_aside_for_coverage():
    scores = {(f"d{i}", "a"): 0.5 for i in range(4)}
    scores[("d0", "b")] = 0.6
    ranking = rank_common(_summary(scores))
    assert ranking.methods == ["b", "a"] and ranking.datasets == ["d0"]


def test_of_two_sparsest_methods_the_later_one_is_set_aside_first():
    scores = {(f"d{i}", m): 0.5 + 0.1 * j for i in range(6) for j, m in enumerate("ab")}
    scores.update({(f"d{i}", "c"): 0.4 for i in (0, 1, 2)})
    scores.update({(f"d{i}", "d"): 0.4 for i in (2, 3, 4)})
    ranking = rank_common(_summary(scores))
    assert list(ranking.left_out_methods) == ["d"]
    assert ranking.datasets == ["d0", "d1", "d2"]


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


@pytest.mark.parametrize("unlabelled, marker", [("-1", "-1"), ("missing", None)])
def test_a_saved_semi_supervised_model_refits_on_the_labels_of_the_file(
    tmp_path, capsys, unlabelled, marker
):
    frame = _csv(tmp_path / "data.csv")
    frame.loc[::3, "label"] = marker
    frame.to_csv(tmp_path / "data.csv", index=False)
    model_path = tmp_path / "best.joblib"
    args = ["compare", "--data", str(tmp_path / "data.csv"), "--target", "label"]
    args += [*"--methods crest --cv 2 --n-jobs 1 --no-progress".split()]
    args += ["--unlabelled", unlabelled, "--output", str(tmp_path / "out")]
    assert main([*args, "--save-best", str(model_path)]) == 0
    assert "(crest, refitted on all the data)" in capsys.readouterr().out
    model = joblib.load(model_path)
    X, y = frame.drop(columns="label"), frame["label"]
    refitted = clone(model).fit(X, y)
    assert_array_equal(refitted.classes_, ["churn", "stay"])
    assert_array_equal(refitted.predict(X), model.predict(X))
    assert_allclose(refitted.predict_proba(X), model.predict_proba(X))


def test_a_saved_semi_supervised_model_refits_into_the_classes_it_predicts(
    tmp_path, capsys
):
    # True and False beside blanks: pandas reads objects, the reader text
    frame = _csv(tmp_path / "data.csv")
    frame["label"] = (frame["label"] == "churn").astype(object)
    frame.loc[::3, "label"] = None
    frame.to_csv(tmp_path / "data.csv", index=False)
    model_path = tmp_path / "best.joblib"
    args = ["compare", "--data", str(tmp_path / "data.csv"), "--target", "label"]
    args += [*"--methods crest --cv 2 --n-jobs 1 --no-progress".split()]
    args += ["--unlabelled", "missing", "--output", str(tmp_path / "out")]
    assert main([*args, "--save-best", str(model_path)]) == 0
    capsys.readouterr()
    model = joblib.load(model_path)
    X, y = frame.drop(columns="label"), pd.read_csv(tmp_path / "data.csv")["label"]
    refitted = clone(model).fit(X, y)
    assert_array_equal(refitted.classes_, model.classes_)
    assert_array_equal(refitted.predict(X), model.predict(X))


def test_a_saved_semi_supervised_model_names_missing_labels_left_unmarked():
    from sklearn.linear_model import LogisticRegression
    from sklearn.semi_supervised import SelfTrainingClassifier

    from ltlearn._compare._save import _LabelDecodingClassifier

    X = np.arange(12.0).reshape(6, 2)
    y = pd.Series(["a", "b", "-1", None, "a", "b"])
    semi_supervised = SelfTrainingClassifier(LogisticRegression())
    model = _LabelDecodingClassifier(semi_supervised, unlabelled="-1")
    with pytest.raises(ValueError, match=r"1 missing label\(s\) \(rows 3, counting"):
        model.fit(X, y)
    model.set_params(unlabelled="missing").fit(X, y.replace("-1", "a"))
    assert_array_equal(model.classes_, ["a", "b"])


def test_a_saved_supervised_model_refuses_rows_marked_unlabelled():
    # The model of fractional labels wraps a supervised recipe: the rows that
    # unlabelled= marks became a class -1 of the inner model, predicted as
    # the last label, with one more predict_proba column than classes_.
    from sklearn.linear_model import LogisticRegression

    from ltlearn._compare._save import _LabelDecodingClassifier

    X = np.arange(12.0).reshape(6, 2)
    y = pd.Series([0.5, 1.5, None, None, 0.5, 1.5])
    model = _LabelDecodingClassifier(LogisticRegression(), unlabelled="missing")
    with pytest.raises(ValueError, match="does not learn from unlabelled rows: the 2"):
        model.fit(X, y)


def test_a_saved_model_whose_refit_fails_is_not_fitted():
    # The refit of a saved model that failed kept the model of the previous
    # fit beside the classes of the new labels: predict mapped the old
    # model's codes onto them (0.5 and 1.5 became 2.25 and 7.25).
    from sklearn.exceptions import NotFittedError
    from sklearn.linear_model import LogisticRegression

    from ltlearn._compare._save import _LabelDecodingClassifier

    X = np.arange(12.0).reshape(6, 2)
    y = pd.Series([0.5, 1.5, 0.5, 1.5, 0.5, 1.5])
    model = _LabelDecodingClassifier(LogisticRegression(), unlabelled="none")
    model.fit(X, y)
    new_y = pd.Series([2.25, 7.25, None, None, 2.25, 7.25])
    with pytest.raises(ValueError, match="2 missing label"):
        model.fit(X, new_y)
    with pytest.raises(NotFittedError):
        model.predict(X)
    model.fit(X, y).set_params(unlabelled="missing")
    with pytest.raises(ValueError, match="does not learn from unlabelled rows"):
        model.fit(X, new_y)
    assert not hasattr(model, "classes_")
    for method in (model.predict, model.predict_proba):
        with pytest.raises(NotFittedError):
            method(X)


def test_a_saved_model_offers_the_scores_of_its_recipe():
    # The saved model offered predict_proba whatever its recipe: that of cog
    # (a min-max COG, which has no probabilities) raised AttributeError from
    # inside, and the "roc_auc" scorer failed instead of calling the
    # decision_function the recipe has, which the saved model did not offer.
    from sklearn.metrics import get_scorer

    from ltlearn._compare._save import _LabelDecodingClassifier
    from ltlearn.recipes import make_recipe

    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = pd.Series(np.where(X[:, 0] + 0.5 * rng.normal(size=60) > 0.8, 2.5, 1.5))
    cog = _LabelDecodingClassifier(make_recipe("cog", random_state=0), "none")
    assert not hasattr(cog, "predict_proba")
    assert hasattr(cog, "decision_function")
    cog.fit(X, y)
    assert not hasattr(cog, "predict_proba")
    assert not hasattr(cog, "predict_log_proba")
    scores = cog.decision_function(X)
    assert_array_equal(cog.classes_[(scores > 0).astype(int)], cog.predict(X))
    # fractional labels are a "continuous" target to the metrics
    assert get_scorer("roc_auc")(cog, X, y == 2.5) > 0.5

    plugin = _LabelDecodingClassifier(make_recipe("plugin", random_state=0), "none")
    plugin.fit(X, y)
    proba = plugin.predict_proba(X)
    assert_allclose(plugin.predict_log_proba(X), np.log(proba))
    assert_array_equal(plugin.classes_[proba.argmax(axis=1)], plugin.predict(X))
    scores = plugin.decision_function(X)
    assert_array_equal(plugin.classes_[(scores > 0).astype(int)], plugin.predict(X))


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


@pytest.mark.parametrize("name", ["tiny", "customer_churn_quarterly_extract_" * 4])
def test_recall_plot_of_one_data_set_shows_its_title_and_legend_whole(
    tmp_path, monkeypatch, name
):
    # One data set (every --data run): the title, the panel's title and the
    # legend of the top methods and the peers must fit in the figure.
    pytest.importorskip("matplotlib")
    from ltlearn._compare import _plots

    methods = ["logit_adjustment:rf", "tuned_threshold", "class_weight", "cog_os"]
    methods += ["easy_ensemble", "rusboost", "balanced_bagging", "brf"]
    summary = _summary({(name, m): 0.8 for m in methods})
    counts = np.array([3.0, 24.0])
    summary.per_class = {(name, m): (counts, np.array([0.5, 0.9])) for m in methods}
    drawn = []
    monkeypatch.setattr(_plots, "_save", lambda figure, path: drawn.append(figure))
    assert _plots.plot_recall(summary, tmp_path / "recall.png")
    (figure,) = drawn
    renderer = figure.canvas.get_renderer()
    figure.draw(renderer)
    texts = [*figure.texts, *figure.legends[0].get_texts()]
    texts += [ax.title for ax in figure.axes if ax.get_visible()]
    assert len(texts) == len(methods) + 2
    box = figure.bbox
    for text in texts:
        extent = text.get_window_extent(renderer)
        assert box.x0 <= extent.x0 and extent.x1 <= box.x1, text.get_text()
        assert box.y0 <= extent.y0 and extent.y1 <= box.y1, text.get_text()


def test_markdown_report_shows_names_and_messages_as_written_not_as_html():
    # A data set, column or error naming "<b>...</b>", "<script>" or
    # "&amp;" was read as HTML by Markdown viewers: the text vanished.
    name = 'sales <b>2024</b> & "R&D" <script>x</script>'
    error = "PicklingError: Can't pickle <function <lambda> at 0x1>: &amp;"
    blocks = [
        ("h2", f"{name} per data set"),
        ("p", f"Means over {name}; p < 0.05."),
        ("ul", [f"{name}: a note"]),
        ("table", ["data set", "error"], [[name, error]]),
    ]
    text = render(blocks, "md")
    # Markdown's raw HTML starts with "<" and a letter, "/", "!" or "?";
    # an entity with "&" and a name or number ending with ";".
    assert not re.search(r"(?<!\\)(<[A-Za-z/!?]|&#?\w+;)", text)
    assert '\\<b>2024\\</b> & "R&D" \\<script>x\\</script>' in text
    assert "pickle \\<function \\<lambda> at 0x1>: \\&amp;" in text
    assert "p < 0.05." in text
    assert text.count("\n| ") == 2  # the header and the row, each one line


def test_scores_per_data_set_say_when_some_folds_failed():
    # rusboost failed on one fold of d0: its mean is over the other folds
    # and is left out of the ranks; the table showed it as a whole one.
    scores = {("d0", "plain"): 0.7, ("d0", "rusboost"): 0.4, ("d1", "plain"): 0.6}
    scores[("d1", "rusboost")] = 0.65
    error = {"dataset": "d0", "method": "rusboost", "fold": 0, "error": "E: x"}
    summary = _summary(scores, [error])
    summary.ranks = {"d0": {"plain": 1.0, "rusboost": 2.0}}
    summary.ranks["d1"] = {"plain": 2.0, "rusboost": 1.0}
    (_, (_, header, rows)) = _per_dataset_blocks(summary, "BA")
    cells = {(row[0], m): cell for row in rows for m, cell in zip(header[1:], row[1:])}
    assert cells[("d0", "rusboost")] == "0.400 ± 0.010 (1 fold(s) failed)"
    assert cells[("d1", "rusboost")] == "0.650 ± 0.010"
    assert cells[("d0", "plain")] == "0.700 ± 0.010"


def test_scores_per_data_set_show_one_dash_where_there_is_no_score():
    # a few-shot accuracy of a data set without a few-shot class is NaN; the
    # cell read "- ± -"
    scores = {("d0", "plain"): float("nan"), ("d0", "brf"): 0.5}
    summary = _summary(scores, [])
    summary.ranks = {"d0": {"brf": 1.0}}
    (_, (_, header, rows)) = _per_dataset_blocks(summary, "few")
    assert dict(zip(header[1:], rows[0][1:])) == {"plain": "-", "brf": "0.500 ± 0.010"}


def _critical_difference_figure(tmp_path, monkeypatch, mean_rank, cd):
    """The figure of the critical-difference diagram of these mean ranks."""
    pytest.importorskip("matplotlib")
    from ltlearn._compare import _plots
    from ltlearn._compare._stats import Ranking

    methods = list(mean_rank)
    ranking = Ranking(
        methods=methods,
        datasets=list("abcdefgh"),
        left_out_datasets={},
        left_out_methods={},
        mean={},
        mean_rank=mean_rank,
        scores={},
        cd=cd,
        best=methods[0],
    )
    drawn = []
    monkeypatch.setattr(_plots, "_save", lambda figure, path: drawn.append(figure))
    assert _plots.plot_critical_difference(ranking, tmp_path / "cd.png", "BA")
    (figure,) = drawn
    return figure


@pytest.mark.parametrize("k", [10, 35])
def test_critical_difference_axis_numbers_do_not_run_into_each_other(
    tmp_path, monkeypatch, k
):
    # --models lr rf hgb mlp ranks some 35 methods: the 35 numbers of the
    # rank axis overlapped into "101112131415...".
    methods = [f"threshold_moving:model{i}" for i in range(k)]
    mean_rank = dict(zip(methods, np.linspace(1.5, k - 0.5, k)))
    cd = critical_difference(k, 8)
    figure = _critical_difference_figure(tmp_path, monkeypatch, mean_rank, cd)
    renderer = figure.canvas.get_renderer()
    figure.draw(renderer)
    numbers = [t for t in figure.axes[0].texts if t.get_text().isdigit()]
    shown = [int(t.get_text()) for t in numbers]
    assert shown[0] == 1 and shown == sorted(shown)
    if k <= 25:
        assert shown == list(range(1, k + 1))
    extents = [t.get_window_extent(renderer) for t in numbers]
    for left, right in zip(extents, extents[1:]):
        assert left.x1 < right.x0


@pytest.mark.parametrize(
    "mean_ranks, bars", [((1.0, 2.0, 3.0), []), ((1.0, 1.5, 3.0), [(1.0, 1.5)])]
)
def test_critical_difference_diagram_joins_mean_ranks_less_than_cd_apart(
    tmp_path, monkeypatch, mean_ranks, bars
):
    # Mean ranks the critical difference apart differ (Demsar 2006), as the
    # report says ("differ by less are not told apart"); the bar joined them.
    mean_rank = dict(zip(["plugin", "smote", "plain"], mean_ranks))
    figure = _critical_difference_figure(tmp_path, monkeypatch, mean_rank, 1.0)
    lines = figure.axes[0].get_lines()
    drawn_bars = [line.get_xdata() for line in lines if line.get_linewidth() == 3]
    assert [(round(a + 0.03, 9), round(b - 0.03, 9)) for a, b in drawn_bars] == bars


def test_ranks_plot_shows_the_ranks_and_mean_ranks_of_the_table(tmp_path, monkeypatch):
    # plain failed on d2, which the table leaves out of every mean rank; the
    # plot ranked plugin and brf on d2 as well and marked plugin's mean rank
    # at 1.33 where the table says 1.00.
    pytest.importorskip("matplotlib")
    from ltlearn._compare import _plots

    scores = {("d0", "plugin"): 0.9, ("d0", "brf"): 0.8, ("d0", "plain"): 0.7}
    scores |= {("d1", "plugin"): 0.9, ("d1", "brf"): 0.8, ("d1", "plain"): 0.7}
    scores |= {("d2", "plugin"): 0.8, ("d2", "brf"): 0.9}
    errors = [{"dataset": "d2", "method": "plain", "fold": 0, "error": "E"}]
    summary = _summary(scores, errors)
    summary.ranks = _rank_per_dataset(summary.datasets, summary.methods, scores)[0]
    ranking = rank_common(summary)
    drawn = []
    monkeypatch.setattr(_plots, "_save", lambda figure, path: drawn.append(figure))
    assert _plots.plot_ranks(ranking, tmp_path / "ranks.png", "BA")
    (ax,) = drawn[0].axes
    shown = [label.get_text() for label in ax.get_yticklabels()]
    assert shown == ["plain", "brf", "plugin"]  # best at the top
    points = [c.get_offsets()[:, 0].tolist() for c in ax.collections]
    assert points == [[3.0, 3.0], [3.0], [2.0, 2.0], [2.0], [1.0, 1.0], [1.0]]
    assert ranking.mean_rank == {"plugin": 1.0, "brf": 2.0, "plain": 3.0}
    assert "over 2 data set(s)" in ax.get_title()


def test_use_this_advice_of_several_data_sets_gives_a_command_that_runs(
    tmp_path, capsys
):
    # The report of several data sets advised "the same command and
    # --save-best model.joblib", which --save-best refuses.
    out = tmp_path / "out"
    args = ["compare", "--datasets", "ecoli1", "glass4", "--methods", "plain"]
    args += ["--cv", "2", "--n-jobs", "1", "--no-progress", "--output", str(out)]
    assert main(args) == 0
    advice = (out / "report.md").read_text().split("## Use this")[1]
    assert "the same command" not in advice
    assert "a single --datasets name (or --data FILE --target COLUMN)" in advice
    capsys.readouterr()
    model = tmp_path / "model.joblib"
    assert main([*args, "--save-best", str(model)]) == 2
    assert "on one data set" in capsys.readouterr().err
    single = [a for a in args if a != "glass4"]
    assert main([*single, "--save-best", str(model)]) == 0 and model.exists()
    advice = (out / "report.md").read_text().split("## Use this")[1]
    assert "Refit it on all the data and save it with the same command and " in advice


def test_markdown_report_shows_emphasis_code_and_link_marks_as_written():
    # An error naming __init__ showed a bold "init"; "*", "`", "~", a
    # backslash, a link's "](" and a leading "# " or "1." in a name were read
    # as Markdown too. Intraword "_" and "[peer]" need no escape.
    error = "TypeError: LogisticRegression.__init__() got `x` ~~y~~ *z*"
    name = r"# 1. C:\data\_old [x](http://e) digits_lt_semi brf [peer]"
    blocks = [
        ("p", name),
        ("ul", [f"{name}: a note", "1. item"]),
        ("table", ["data set", "error"], [[name, error]]),
        ("pre", f"left out {name} ``` fence"),
    ]
    text = render(blocks, "md")
    escaped = (
        r"C:\\data\\\_old [x\](http://e) digits_lt_semi brf [peer]",
        r"LogisticRegression.\_\_init\_\_() got \`x\` \~\~y\~\~ \*z\*",
    )
    assert f"\\# 1. {escaped[0]}\n\n- \\# 1. {escaped[0]}: a note\n- 1\\. item" in text
    assert f"| # 1. {escaped[0]} | TypeError: {escaped[1]} |" in text
    assert f"````\nleft out {name} ``` fence\n````" in text


def test_markdown_list_items_of_a_name_in_brackets_are_not_task_boxes():
    # A --data file "[x] sales.csv" starts its notes' list items, which
    # GitHub showed as ticked task boxes ("- [x] sales: ..."), the name lost.
    blocks = [("ul", ["[x] sales: a note", "[ ] q3: a note"]), ("p", "[x] sales")]
    text = render(blocks, "md")
    assert text == "- \\[x] sales: a note\n- \\[ ] q3: a note\n\n\\[x] sales\n"


def test_markdown_list_items_of_a_name_after_spaces_are_not_headings():
    # Markdown allows up to three spaces before a heading, quote or list
    # marker: the notes of a --data file " # sales.csv" were a heading in
    # their list item ("-  # sales: a note"), of "  > q3.csv" a quote.
    blocks = [("ul", [" # sales: a note", "  > q3: a note", "   1. x: a note"])]
    text = render(blocks, "md")
    assert text == "-  \\# sales: a note\n-   \\> q3: a note\n-    1\\. x: a note\n"


def test_markdown_report_shows_dollar_signs_as_written_not_as_math():
    # GitHub, GitLab and VS Code read the text between two "$" as math: a
    # --data file "a $^$ b.csv" (which the recall plot shows as written)
    # showed a superscript in the report.
    name = "a $^$ b, cost $x$"
    blocks = [
        ("h2", f"{name} per data set"),
        ("p", f"Means over {name}."),
        ("ul", [f"{name}: a note"]),
        ("table", ["data set"], [[name]]),
    ]
    text = render(blocks, "md")
    assert "$" not in text.replace("\\$", "")
    escaped = r"a \$^\$ b, cost \$x\$"
    assert f"## {escaped} per data set" in text
    assert f"Means over {escaped}." in text and f"- {escaped}: a note" in text
    assert f"| {escaped} |" in text


def test_use_this_advice_of_several_data_sets_saves_the_recipe_it_names(
    tmp_path, capsys
):
    # The advice named the best over the data sets, but a single --datasets
    # name and --save-best saved the best on that data set, maybe another.
    out = tmp_path / "out"
    args = ["compare", "--cv", "2", "--n-jobs", "1", "--no-progress"]
    args += ["--output", str(out)]
    methods = ["--methods", "plain", "class_weight"]
    assert main([*args, *methods, "--datasets", "ecoli1", "glass4"]) == 0
    advice = (out / "report.md").read_text().split("## Use this")[1]
    best = re.search(r"Best on this data: (\S+) ", advice).group(1)
    assert f"(or --data FILE --target COLUMN), --methods {best} and " in advice
    capsys.readouterr()
    model = tmp_path / "model.joblib"
    single = [*args, "--datasets", "glass4", "--methods", best]
    assert main([*single, "--save-best", str(model)]) == 0
    assert f"({best}, refitted on all the data)" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["cost $5 to $10", "a $^$ b"])
def test_recall_plot_shows_a_data_set_name_with_dollars_as_written(
    tmp_path, monkeypatch, name
):
    # A --data file name with two "$" was read as mathtext: "cost $5 to $10"
    # showed "cost 5to10" in italics, and "a $^$ b" failed the whole report.
    pytest.importorskip("matplotlib")
    from ltlearn._compare import _plots

    summary = _summary({(name, "plain"): 0.8, (name, "smote"): 0.7})
    counts = np.array([3.0, 24.0])
    summary.per_class = {key: (counts, np.array([0.5, 0.9])) for key in summary.mean}
    drawn = []
    monkeypatch.setattr(_plots, "_save", lambda figure, path: drawn.append(figure))
    assert _plots.plot_recall(summary, tmp_path / "recall.png")
    (figure,) = drawn
    figure.draw(figure.canvas.get_renderer())
    (title,) = [ax.title for ax in figure.axes if ax.get_visible()]
    assert title.get_text() == name and not title.get_parse_math()


def _drawn_recall_title(tmp_path, monkeypatch, name):
    """The title of the recall plot of a data set ``name``, once drawn, and
    the warnings that drawing it gave."""
    from ltlearn._compare import _plots

    summary = _summary({(name, "plain"): 0.8, (name, "smote"): 0.7})
    counts = np.array([3.0, 24.0])
    summary.per_class = {key: (counts, np.array([0.5, 0.9])) for key in summary.mean}
    drawn = []
    monkeypatch.setattr(_plots, "_save", lambda figure, path: drawn.append(figure))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert _plots.plot_recall(summary, tmp_path / "recall.png")
        (figure,) = drawn
        figure.draw(figure.canvas.get_renderer())
    (title,) = [ax.title for ax in figure.axes if ax.get_visible()]
    return title.get_text(), [str(w.message) for w in caught]


def test_recall_plot_writes_control_characters_of_a_name_as_escapes(
    tmp_path, monkeypatch
):
    # A --data file name with an escape character, a DEL or a right-to-left
    # override was drawn with boxes, and matplotlib's warning "Glyph 27 ()
    # missing from font(s)" printed the raw escape character on the terminal.
    pytest.importorskip("matplotlib")
    name = "a\x1bb\x7fc\u202ed é 1\u0301"
    title, caught = _drawn_recall_title(tmp_path, monkeypatch, name)
    assert caught == []
    assert title == "a\\x1bb\\x7fc\\u202ed é 1\u0301"


def test_recall_plot_shows_the_spaces_of_a_name_as_written(tmp_path, monkeypatch):
    # A no-break space, or the narrow one that macOS writes in time stamps of
    # file names ("10.00\u202fAM"), was drawn as "\xa0" or "\u202f".
    pytest.importorskip("matplotlib")
    name = "report 10.00\u202fAM\xa0q3"
    assert _drawn_recall_title(tmp_path, monkeypatch, name) == (name, [])


def test_recall_plot_draws_classes_of_equal_count_in_class_order(tmp_path, monkeypatch):
    # The line went through the classes sorted by NumPy's default argsort,
    # whose order of equal counts depends on the CPU's vector instructions:
    # the same results drew another line (and plot file) on another machine.
    pytest.importorskip("matplotlib")
    from ltlearn._compare import _plots

    summary = _summary({("tied", "plain"): 0.8})
    counts = np.array([5.0, 20.0, 5.0, 20.0, 5.0, 50.0, 20.0, 5.0])
    recall = np.linspace(0.1, 0.8, counts.size)
    summary.per_class = {("tied", "plain"): (counts, recall)}
    drawn = []
    monkeypatch.setattr(_plots, "_save", lambda figure, path: drawn.append(figure))
    assert _plots.plot_recall(summary, tmp_path / "recall.png")
    (figure,) = drawn
    (line,) = [line for ax in figure.axes for line in ax.get_lines()]
    order = [0, 2, 4, 7, 1, 3, 6, 5]  # by count, then by class
    assert_array_equal(line.get_xdata(), counts[order])
    assert_array_equal(line.get_ydata(), recall[order])


def test_the_mean_over_folds_is_the_mean_not_the_median():
    # Skewed folds, where the median (0.2) is not the mean (0.3).
    rows = [
        {"dataset": "d0", "method": "plain", "fold": fold, "status": "ok",
         "balanced_accuracy": score, "fit_time": time, "class_recall": ""}
        for fold, score, time in ((0, 0.1, 1.0), (1, 0.2, 2.0), (2, 0.6, 6.0))
    ]  # fmt: skip
    mean, std, fit_time, _ = _over_folds(*_collect(rows, "balanced_accuracy", 20)[:3])
    folds = pd.Series([0.1, 0.2, 0.6])
    assert mean[("d0", "plain")] == pytest.approx(folds.mean())
    assert std[("d0", "plain")] == pytest.approx(folds.std(ddof=0))
    assert fit_time[("d0", "plain")] == pytest.approx(3.0)


def test_friedman_over_two_data_sets_is_that_of_scipy():
    # Three methods over two data sets: the fewest the test takes.
    scores = {
        ("d0", "plain"): 0.5, ("d0", "smote"): 0.6, ("d0", "brf"): 0.7,
        ("d1", "plain"): 0.55, ("d1", "smote"): 0.75, ("d1", "brf"): 0.65,
    }  # fmt: skip
    ranking = rank_common(_summary(scores))
    columns = [[scores[(d, m)] for d in ("d0", "d1")] for m in ranking.methods]
    statistic, p_value = friedmanchisquare(*columns)
    assert ranking.friedman == pytest.approx((statistic, p_value))
    assert ranking.cd == pytest.approx(critical_difference(3, 2))
    text = format_table(_summary(scores), {"cv": 2})
    assert f"Friedman test: chi2 = {statistic:.2f}, p = {p_value:.3f};" in text


def test_the_best_peer_is_the_peer_of_the_best_mean_rank():
    # Of two peers, the better ranked is the reference, whatever the order
    # the methods ran in.
    scores = {}
    for i in range(4):
        scores[(f"d{i}", "rusboost")] = 0.6 + 0.01 * i
        scores[(f"d{i}", "plugin")] = 0.8 + 0.01 * i
        scores[(f"d{i}", "brf")] = 0.7 + 0.01 * i
    ranking = rank_common(_summary(scores))
    assert ranking.methods == ["plugin", "brf", "rusboost"]
    assert ranking.best_peer == "brf"
    assert sorted(ranking.versus_peer) == ["plugin", "rusboost"]
    assert ranking.versus_peer["rusboost"][:3] == (0, 0, 4)
    text = format_table(_summary(scores), {"cv": 2})
    assert "against the best peer, brf, and" in text


def test_a_score_a_rounding_boundary_above_the_peer_s_wins():
    # 0.50000000006 and 0.50000000004 rank apart (0.5000000001 and 0.5 to 10
    # decimals), though their difference rounds to 0: a win, as the ranks say.
    scores = {
        ("d0", "plugin"): 0.50000000006, ("d0", "brf"): 0.50000000004,
        ("d1", "plugin"): 0.8, ("d1", "brf"): 0.7,
        ("d2", "plugin"): 0.9, ("d2", "brf"): 0.6,
    }  # fmt: skip
    ranking = rank_common(_summary(scores))
    assert ranking.ranks["d0"] == {"plugin": 1.0, "brf": 2.0}
    wins, ties, losses, p_value = ranking.versus_peer["plugin"]
    assert (wins, ties, losses) == (3, 0, 0)
    assert p_value == pytest.approx(wilcoxon([1e-10, 0.1, 0.3]).pvalue)


def test_a_p_value_takes_three_decimals_down_to_0_001():
    assert [_p(v) for v in (0.3, 0.005, 0.001, 0.0498, 0.0004)] == [
        "0.300",
        "0.005",
        "0.001",
        "0.0498",
        "4e-04",
    ]


def test_the_table_s_spread_and_fit_time_are_over_the_common_data_sets():
    # d2 is left out (plain failed there): its spread and fit time are not in
    # the means of the table either.
    scores = {}
    for i in range(3):
        scores[(f"d{i}", "plugin")] = 0.8 + 0.01 * i
        scores[(f"d{i}", "plain")] = 0.7 + 0.01 * i
    errors = [{"dataset": "d2", "method": "plain", "fold": 0, "error": "ValueError"}]
    summary = _summary(scores, errors)
    summary.std[("d2", "plugin")] = 0.31
    summary.fit_time[("d2", "plugin")] = 4.1
    line = next(
        line
        for line in format_table(summary, {"cv": 2}).splitlines()
        if line.startswith("plugin")
    )
    # method, mean, fold-sd, mean rank, wins, W/T/L, p, fit s
    assert line.split() == ["plugin", "0.805", "0.010", "1.00", "2", "-", "-", "0.10"]


def test_a_friedman_p_value_above_alpha_reads_as_no_difference():
    # Rank sums 3, 7 and 8 over 3 data sets: chi2 = 14/3, p = exp(-7/3) = 0.097.
    scores = {}
    for i, order in enumerate((("a", "b", "c"), ("a", "b", "c"), ("a", "c", "b"))):
        for rank, method in enumerate(order):
            scores[(f"d{i}", method)] = 0.9 - 0.1 * rank
    ranking = rank_common(_summary(scores))
    columns = [[scores[(f"d{i}", m)] for i in range(3)] for m in "abc"]
    statistic, p_value = friedmanchisquare(*columns)
    assert ranking.friedman == pytest.approx((statistic, p_value))
    assert p_value == pytest.approx(math.exp(-7 / 3))
    text = _statistics_blocks(ranking, "BA")[1][1]
    assert "chi2 = 4.67, p = 0.097, the mean ranks do not differ significantly" in text


def test_the_data_set_table_puts_each_number_under_its_column():
    from types import SimpleNamespace

    from ltlearn._compare._report import _dataset_blocks

    info = {
        "name": "churn", "n_samples": 300, "n_features": 7, "n_categorical": 2,
        "n_classes": 3, "imbalance_ratio": 12.46, "n_unlabelled": 4,
        "source": "churn.csv",
    }  # fmt: skip
    (_, (_, header, rows)) = _dataset_blocks(SimpleNamespace(datasets=[info]))
    assert dict(zip(header, rows[0])) == {
        "data set": "churn",
        "rows": 300,
        "features": 7,
        "categorical": 2,
        "classes": 3,
        "imbalance ratio": "12.5",
        "unlabelled": 4,
        "source": "churn.csv",
    }


def test_the_versus_peer_table_marks_the_peer_as_the_reference():
    scores = {}
    for i in range(3):
        scores[(f"d{i}", "plugin")] = 0.8 + 0.01 * i
        scores[(f"d{i}", "brf")] = 0.7 + 0.01 * i
    ranking = rank_common(_summary(scores))
    (_, header, rows) = _statistics_blocks(ranking, "BA")[3]
    assert header == ["method", "mean BA", "mean rank", "W/T/L", "Wilcoxon p"]
    assert rows == [
        ["plugin", "0.810", "1.00", "3/0/0", f"{wilcoxon([0.1] * 3).pvalue:.3f}"],
        ["brf [peer]", "0.710", "2.00", "(reference)", "-"],
    ]


def test_the_recall_plot_says_it_shows_a_few_methods_only_when_it_does(tmp_path):
    pytest.importorskip("matplotlib")
    from ltlearn._compare._report import _plot_blocks

    methods = ["plugin", "brf", "plain", "smote", "class_weight", "rusboost", "lr"]
    scores = {("d0", m): 0.9 - 0.05 * i for i, m in enumerate(methods)}
    scores.update({("d1", m): 0.8 - 0.05 * i for i, m in enumerate(methods)})
    for n_methods, said in ((6, False), (7, True)):
        kept = {key: v for key, v in scores.items() if key[1] in methods[:n_methods]}
        summary = _summary(kept)
        summary.per_class = {
            key: (np.array([50.0, 5.0]), np.array([0.9, 0.4])) for key in kept
        }
        blocks = _plot_blocks(summary, rank_common(summary), tmp_path, "BA")
        note = ("p", "Per-class recall of the top methods and the peers.")
        assert (note in blocks) is said


def test_the_advice_counts_the_data_sets_of_the_mean_rank():
    # plain failed on d2: plugin's mean rank is over the 2 others.
    scores = {(f"d{i}", m): 0.8 - 0.1 * j for i in range(3) for j, m in
              enumerate(("plugin", "plain"))}  # fmt: skip
    errors = [{"dataset": "d2", "method": "plain", "fold": 1, "error": "ValueError"}]
    summary = _summary(scores, errors)
    ranking = rank_common(summary)
    text = render(_summary_blocks(summary, {"cv": 2}, ranking), "md")
    assert "plugin (" in text and "mean rank 1.00 over 2 data set(s)." in text


def test_the_failed_fits_table_names_the_fold():
    from ltlearn._compare._report import _failed_blocks

    errors = [{"dataset": "d2", "method": "plain", "fold": 3, "error": "ValueError"}]
    (_, (_, header, rows)) = _failed_blocks(_summary({("d2", "plain"): 0.5}, errors))
    assert header == ["data set", "method", "fold", "error"]
    assert rows == [["d2", "plain", 3, "ValueError"]]


def test_a_markdown_table_has_a_rule_per_column_and_its_bars_escaped():
    text = render([("table", ["method", "a|b"], [["x|y", 1]])], "md")
    assert text == "| method | a\\|b |\n|---|---|\n| x\\|y | 1 |\n"


def test_critical_difference_labels_name_mean_ranks_best_in_bold_peers_italic(
    tmp_path, monkeypatch
):
    mean_rank = {"plugin": 1.25, "brf": 2.0, "plain": 2.75}
    figure = _critical_difference_figure(tmp_path, monkeypatch, mean_rank, 1.0)
    labels = {
        t.get_text(): (t.get_fontweight(), t.get_style())
        for t in figure.axes[0].texts
        if "(" in t.get_text()
    }
    assert labels == {
        "plugin (1.25)": ("bold", "normal"),
        "brf (2.00)": ("normal", "italic"),
        "plain (2.75)": ("normal", "normal"),
    }


def test_an_html_table_shows_its_cells_as_written():
    text = render([("table", ["a<b"], [["x & <i>y</i>"]])], "html")
    assert "<th>a&lt;b</th>" in text
    assert "<td>x &amp; &lt;i&gt;y&lt;/i&gt;</td>" in text
