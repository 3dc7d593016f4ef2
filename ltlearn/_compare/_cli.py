"""The ``ltlearn compare`` command."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import contextlib
import os
import sys
import time
import warnings

from ltlearn._compare._data import (
    DEFAULT_DATASETS,
    CompareError,
    available_datasets,
    load_embedded,
)
from ltlearn._compare._report import REPORT_FORMATS, write_report
from ltlearn._compare._results import lock_output
from ltlearn._compare._runner import BACKENDS, RESULTS_FILE, SCORINGS, run_comparison
from ltlearn._compare._save import check_save_best, save_best
from ltlearn._compare._summary import summarize
from ltlearn._compare._tables import format_table
from ltlearn._compare._user_table import load_table
from ltlearn.recipes._registry import EXCLUDED, MODELS, RECIPES, resolve_methods

_DESCRIPTION = """\
Cross-validate named recipes for imbalanced data on the embedded data sets (a
set of KEEL data sets and long-tailed digits) or on your own CSV or Parquet file,
print a summary table and write a report with plots. Results are appended to
OUTPUT/results.csv as each fit finishes; rerunning the same command skips the
fits already done.
"""

_EPILOG = """\
examples:
  ltlearn compare --output ltlearn-results
  ltlearn compare --methods plain class_weight smote --cv 3
  ltlearn compare --data churn.csv --target churned --report html
  ltlearn compare --data churn.csv --target churned --save-best churn.joblib
  ltlearn compare --models lr rf hgb
  ltlearn compare --backend dask --scheduler tcp://10.0.0.5:8786
  ltlearn compare --list
"""


def _names(values):
    """Accept ``a b``, ``a,b`` and ``a, b``."""
    if values is None:
        return None
    names = [part.strip() for value in values for part in value.split(",")]
    return [name for name in names if name]


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _folds(text):
    value = int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"needs at least 2 folds, got {value}")
    return value


def _seed(text):
    value = int(text)
    if not 0 <= value < 2**32:
        # The seed of numpy's RandomState, which seeds the folds.
        raise argparse.ArgumentTypeError(f"must be in [0, 2**32 - 1], got {value}")
    return value


def _path(text):
    """A file or directory name; ``~`` is the home directory even when quoted."""
    return os.path.expanduser(text)


def _n_jobs(text):
    value = int(text)
    if value == 0:
        raise argparse.ArgumentTypeError("0 is not a number of jobs; use -1 for all")
    return value


def _add_names(group, flag, metavar, help):
    """An option taking names: ``a b``, ``a,b`` or ``a, b`` (see ``_names``)."""
    group.add_argument(flag, nargs="+", metavar=metavar, help=help)


def add_compare_parser(subparsers):
    """Register ``compare`` on the ``ltlearn`` command's subparsers."""
    parser = subparsers.add_parser(
        "compare",
        help="cross-validated comparison of methods for imbalanced data",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    data = parser.add_argument_group("data")
    _add_names(
        data,
        "--datasets",
        "NAME",
        f"embedded data sets (default: {', '.join(DEFAULT_DATASETS)}); see "
        "`ltlearn datasets`",
    )
    data.add_argument(
        "--data", type=_path, metavar="FILE", help="your CSV or Parquet file"
    )
    data.add_argument("--target", metavar="COLUMN", help="the label column of --data")
    data.add_argument(
        "--unlabelled",
        default="-1",
        metavar="VALUE",
        help="target value of unlabelled rows in --data (default: -1; "
        "'missing': the rows without a target; 'none': every row is "
        "labelled); they enable the semi-supervised methods",
    )
    methods = parser.add_argument_group("methods and evaluation")
    _add_names(
        methods,
        "--methods",
        "NAME",
        "recipes to compare (default: every one that can run here); see --list",
    )
    _add_names(
        methods,
        "--models",
        "MODEL",
        f"base models the rebalancing recipes run on, of {', '.join(MODELS)} "
        "(default: lr); names such as plugin:rf; with --methods, the named "
        "recipes without a model run on each",
    )
    methods.add_argument(
        "--cv",
        type=_folds,
        default=5,
        metavar="K",
        help="stratified folds (default: 5)",
    )
    methods.add_argument(
        "--scoring",
        choices=SCORINGS,
        default="balanced_accuracy",
        help="what the table ranks by (default: balanced_accuracy)",
    )
    methods.add_argument(
        "--few-threshold",
        type=_positive,
        default=20,
        metavar="N",
        help="few_shot_accuracy: a class with fewer training rows is few-shot "
        "(default: 20)",
    )
    methods.add_argument(
        "--seed", type=_seed, default=0, help="seeds the folds and the methods"
    )
    run = parser.add_argument_group("execution and output")
    run.add_argument(
        "--n-jobs",
        type=_n_jobs,
        default=-1,
        metavar="N",
        help="parallel fits (default: -1, all cores)",
    )
    run.add_argument(
        "--backend",
        choices=BACKENDS,
        default=None,
        help="joblib backend (default: loky; dask with --scheduler)",
    )
    run.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786",
    )
    run.add_argument(
        "--output",
        type=_path,
        default="ltlearn-results",
        metavar="DIR",
        help=f"where {RESULTS_FILE}, the report and its plots go "
        "(default: ltlearn-results)",
    )
    run.add_argument(
        "--report",
        choices=REPORT_FORMATS,
        default="md",
        help="report format (default: md)",
    )
    run.add_argument(
        "--save-best",
        type=_path,
        metavar="FILE",
        help="refit the best recipe, with its preprocessing, on all of the one "
        "data set and save it with joblib (joblib.load(FILE).predict(X))",
    )
    run.add_argument(
        "--no-progress", action="store_true", help="no progress bar on stderr"
    )
    parser.add_argument(
        "--list",
        action="store_true",
        help="list the methods and data sets, then exit",
    )
    parser.set_defaults(func=compare_command)
    return parser


def _unavailable(skipped):
    """Lines naming the recipes that cannot run here, and the extra they need."""
    by_reason = {}
    for name, reason in skipped.items():
        if name in RECIPES:  # not a recipe:model variant that does not exist
            by_reason.setdefault(reason, []).append(name)
    lines = []
    for reason, names in by_reason.items():
        line = f"Not run here: {', '.join(names)} ({reason})"
        if any(RECIPES[name].deep for name in names):
            line += "; pip install 'ltlearn[deep]' adds them"
        lines.append(line + ".")
    return lines


def _list():
    print("methods:")
    width = max(map(len, RECIPES))
    for name, recipe in RECIPES.items():
        reason = recipe.missing()
        extra = ""
        if reason is not None:
            extra = f"  [unavailable: {reason}]"
        elif recipe.semi_supervised:
            extra = "  [needs unlabelled rows]"
        elif recipe.peer:
            extra = "  [peer]"
        print(f"  {name:<{width}}  {recipe.summary}{extra}")
    print("\nnot built (recipe:model):")
    for (family, model), why in EXCLUDED.items():
        print(f"  {family}:{model}  {why}")
    print("\ndefault data sets: " + ", ".join(DEFAULT_DATASETS))
    print(
        f"{len(available_datasets())} embedded data sets in all; `ltlearn "
        "datasets` lists them."
    )
    return 0


def _load(args):
    if args.data is not None:
        if args.datasets:
            raise CompareError("Give either --data or --datasets, not both.")
        if args.target is None:
            raise CompareError("--data needs --target COLUMN, the label column.")
        return [load_table(args.data, args.target, unlabelled=args.unlabelled)]
    if args.target is not None:
        raise CompareError("--target goes with --data FILE.")
    names = _names(args.datasets) or list(DEFAULT_DATASETS)
    return [load_embedded(name) for name in dict.fromkeys(names)]


def compare_command(args):
    """Run ``ltlearn compare``; return the exit status."""
    if args.list:
        return _list()
    # Holds the lock of the output directory until the report is written.
    with contextlib.ExitStack() as stack:
        stack.enter_context(warnings.catch_warnings())
        warnings.showwarning = _show_warning
        return _compare(args, stack)


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """A warning as one line of the command, not Python's two with the source."""
    print(f"ltlearn compare: warning: {message}", file=sys.stderr)


def _why(exc):
    """An ``OSError`` in words, with the file it names if any."""
    why = exc.strerror or str(exc)
    return f"{why} ({exc.filename})" if exc.filename else why


def _compare(args, stack):
    backend = args.backend
    if backend is None:
        backend = "dask" if args.scheduler else "loky"
    writing = False
    try:
        recipes, skipped = resolve_methods(
            _names(args.methods), models=_names(args.models)
        )
        datasets = _load(args)
        for dataset in datasets:
            for note in dataset.notes:
                print(f"ltlearn compare: note: {dataset.name}: {note}", file=sys.stderr)
        if args.save_best:
            check_save_best(datasets, args.save_best, args.output)
        writing = True
        stack.enter_context(lock_output(args.output))
        start = time.perf_counter()
        comparison = run_comparison(
            datasets,
            recipes,
            cv=args.cv,
            scoring=args.scoring,
            seed=args.seed,
            n_jobs=args.n_jobs,
            backend=backend,
            scheduler=args.scheduler,
            output=args.output,
            progress=not args.no_progress,
            skipped=skipped,
        )
    except CompareError as exc:
        print(f"ltlearn compare: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        if not writing:
            # Reading --data, or a --save-best name the system refuses.
            print(f"ltlearn compare: error: {_why(exc)}.", file=sys.stderr)
            return 2
        # A full disk or a lost mount while the rows are appended: the rows
        # written so far are whole (a cut-off one is dropped on the rerun).
        print(
            f"ltlearn compare: error: cannot write in {args.output}: "
            f"{_why(exc)}. The finished fits are in {args.output}/{RESULTS_FILE}; "
            "run the same command again to go on.",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print(
            f"\nInterrupted. The finished fits are in {args.output}/{RESULTS_FILE}; "
            "run the same command again to go on.",
            file=sys.stderr,
        )
        return 130
    elapsed = time.perf_counter() - start
    summary = summarize(comparison, few_threshold=args.few_threshold)
    print(format_table(summary, comparison.config, skipped=comparison.skipped))
    for line in _unavailable(skipped):
        print(line)
    try:
        report = write_report(comparison, summary, fmt=args.report)
    except OSError as exc:
        print(
            f"ltlearn compare: error: cannot write the report in {args.output}: "
            f"{_why(exc)}. The results are in "
            f"{comparison.output / RESULTS_FILE}.",
            file=sys.stderr,
        )
        return 2
    n_run = len(comparison.rows) - comparison.n_reused
    message = f"\n{n_run} fits run in {elapsed:.0f} s"
    if comparison.n_reused:
        message += f", {comparison.n_reused} reused from {RESULTS_FILE}"
    print(message + ".")
    print(f"Results: {comparison.output / RESULTS_FILE}")
    print(f"Report:  {report}")
    if args.save_best:
        try:
            name = save_best(summary, comparison, datasets[0], args.save_best)
        except CompareError as exc:
            print(f"ltlearn compare: error: {exc}", file=sys.stderr)
            return 2
        except OSError as exc:
            print(
                f"ltlearn compare: error: cannot save --save-best "
                f"{args.save_best}: {_why(exc)}; nothing saved.",
                file=sys.stderr,
            )
            return 2
        print(f"Saved:   {args.save_best} ({name}, refitted on all the data)")
    return 0
