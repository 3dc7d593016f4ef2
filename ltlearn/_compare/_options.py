"""The options of ``ltlearn compare`` and the choices they take.

Importing this module imports neither scikit-learn nor imbalanced-learn (only
NumPy), so that ``ltlearn --help`` and a wrong argument answer at once; the
command itself, in ``_cli.py``, is imported when it runs.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import os

from ltlearn._compare._data import DEFAULT_DATASETS
from ltlearn._compare._results import METRICS, RESULTS_FILE

SCORINGS = (*METRICS, "few_shot_accuracy")
BACKENDS = ("loky", "dask", "ray")
REPORT_FORMATS = ("md", "html")
# The base models of the rebalancing recipes (see ltlearn.recipes).
MODELS = ("lr", "rf", "hgb", "mlp")


_DESCRIPTION = """\
Cross-validate named recipes for imbalanced data on the embedded data sets (a
set of KEEL data sets and long-tailed digits) or on your own CSV or Parquet file,
print a summary table and write a report with plots. Results are appended to
DIR/results.csv (--output DIR) as each fit finishes; rerunning the same command
skips the fits already done.
"""

_EPILOG = """\
examples:
  ltlearn compare --output ltlearn-results
  ltlearn compare --methods plain class_weight smote --cv 3
  ltlearn compare --data churn.csv --target churned --report html
  ltlearn compare --data churn.csv --target churned --save-best churn.joblib
  ltlearn compare --data visits.csv --target outcome --groups patient_id
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


def _int(text):
    """``text`` as an integer, or the error argparse prints with the option."""
    try:
        return int(text)
    except ValueError:
        # Not argparse's "invalid _folds value", which names this module's code.
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None


def _positive(text):
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _folds(text):
    value = _int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"needs at least 2 folds, got {value}")
    return value


def _seed(text):
    value = _int(text)
    if not 0 <= value < 2**32:
        # The seed of numpy's RandomState, which seeds the folds.
        raise argparse.ArgumentTypeError(f"must be in [0, 2**32 - 1], got {value}")
    return value


def _path(text):
    """A file or directory name; ``~`` is the home directory even when quoted."""
    if not text:
        # An unset shell variable: --output "" wrote in the current directory
        # and --save-best "" saved nothing, without a word.
        raise argparse.ArgumentTypeError("an empty name; give a file or directory")
    return os.path.expanduser(text)


def _address(text):
    """A Dask scheduler's address, refused when empty."""
    if not text:
        # An unset shell variable: --scheduler "" was refused as needing
        # --backend dask, the backend it sets when given.
        raise argparse.ArgumentTypeError(
            "an empty address; give the Dask scheduler's, e.g. tcp://HOST:8786"
        )
    return text


def _n_jobs(text):
    value = _int(text)
    if value == 0:
        raise argparse.ArgumentTypeError("0 is not a number of jobs; use -1 for all")
    return value


def _add_names(group, flag, metavar, help):
    """An option taking names: ``a b``, ``a,b`` or ``a, b`` (see ``_names``).

    Given again, it adds names: ``--methods plain --methods smote`` ran
    ``smote`` alone, without a word.
    """
    group.add_argument(flag, nargs="+", action="extend", metavar=metavar, help=help)


class _OneFile(argparse.Action):
    """``--data FILE``, refused when given again with another file.

    ``--data a.csv --data b.csv`` compared ``b.csv`` alone, without a word.
    """

    def __call__(self, parser, namespace, value, option_string=None):
        first = getattr(namespace, self.dest)
        if first is not None and os.path.abspath(first) != os.path.abspath(value):
            raise argparse.ArgumentError(
                self,
                f"given twice ({first}, then {value}); a comparison reads one "
                "file: run one command for each, with its own --output",
            )
        setattr(namespace, self.dest, value)


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
        "--data",
        type=_path,
        action=_OneFile,
        metavar="FILE",
        help="your CSV or Parquet file",
    )
    data.add_argument("--target", metavar="COLUMN", help="the label column of --data")
    data.add_argument(
        "--unlabelled",
        metavar="VALUE",
        help="target value of unlabelled rows in --data (default: -1; "
        "'missing': the rows without a target; 'none': every row is "
        "labelled); they enable the semi-supervised methods",
    )
    data.add_argument(
        "--groups",
        metavar="COLUMN",
        help="column of --data whose rows belong together (a patient, a "
        "customer): the folds keep each value's rows together, and the column "
        "is not a feature",
    )
    methods = parser.add_argument_group("methods and evaluation")
    _add_names(
        methods,
        "--methods",
        "NAME",
        "recipes to compare (default: recommended, the recipes on the --models, "
        "the MLP losses and the peers, each that can run here); see --list",
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
        help="stratified folds (default: 5); with --groups, of whole groups",
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
        "--seed",
        type=_seed,
        default=0,
        metavar="N",
        help="seeds the folds and the methods, from 0 to 2**32 - 1 (default: 0)",
    )
    run = parser.add_argument_group("execution and output")
    run.add_argument(
        "--n-jobs",
        type=_n_jobs,
        default=-1,
        metavar="N",
        help="parallel fits (default: -1, all cores); not used with "
        "--scheduler, whose cluster runs a fit on each worker thread",
    )
    run.add_argument(
        "--backend",
        choices=BACKENDS,
        default=None,
        help="joblib backend (default: loky; dask with --scheduler)",
    )
    run.add_argument(
        "--scheduler",
        type=_address,
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
    parser.set_defaults(func=_compare_command)
    return parser


def _compare_command(args):
    """Import the command (and scikit-learn) only to run it."""
    from ltlearn._compare._cli import compare_command

    return compare_command(args)
