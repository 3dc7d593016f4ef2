"""SMOTE: a faster drop-in for imbalanced-learn's over-sampler."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import hashlib
import numbers
import warnings
from collections.abc import Mapping

import numpy as np
from imblearn.over_sampling import SMOTE as _ImblearnSMOTE
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_neighbors_object
from scipy import sparse
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn_compat.utils._dataframe import is_pandas_df

from ltlearn.over_sampling._checked_labels import _CheckedLabelsMixin
from ltlearn.over_sampling._class_rows import _class_rows
from ltlearn.over_sampling._column_kinds import (
    _as_integers,
    _interpolated_in_floats,
    _is_boolean,
    _name_columns_check_array_refused,
    _note_columns,
    _noted_columns,
    _refuse_non_numeric,
    _refuse_non_numeric_table,
    _round_boolean_columns,
)
from ltlearn.over_sampling._exact_steps import (
    _huge_steps,
    _integer_steps,
    _rounded_by_float64,
    _sparse_integer_steps,
)
from ltlearn.over_sampling._neighbors import _kneighbors, _max_abs
from ltlearn.over_sampling._small_classes import (
    _capped_neighbors,
    _integer,
    _not_an_integer,
    _single_sample_draws,
)
from ltlearn.utils._class_counts import _plain
from ltlearn.utils._docstring import (
    _feature_attributes_docstring,
    _per_class_random_state_docstring,
    _sampling_strategy_attribute_docstring,
    _smote_references_docstring,
    _Substitution,
)
from ltlearn.utils._random import draw_seeds
from ltlearn.utils._sparse import sum_duplicate_entries
from ltlearn.utils._validation import _native_byte_order
from ltlearn.utils._warnings import external_stacklevel

# Synthetic rows are drawn this many at a time (neighbour column and step),
# whatever the data, so that the dense and the sparse paths draw alike.
_DRAW_CHUNK = 2**16
# Rows are built in blocks of about this many values (two 256 KiB buffers).
_BLOCK_VALUES = 2**15


def _label_key(label):
    """A stable non-negative integer naming a class label.

    Equal numbers name the same class whatever their type, so the label
    ``1`` of an integer, a float (pandas' nullable ``Int64`` reads as
    float), or a boolean array keys the same stream.
    """
    label = _plain(label)
    if isinstance(label, numbers.Integral) or (
        isinstance(label, numbers.Real) and float(label).is_integer()
    ):
        label = int(label)
    digest = hashlib.sha256(repr(label).encode()).digest()
    return int.from_bytes(digest[:8], "little")


def _new_samples(sampling_strategy_, y):
    """The classes to over-sample, each with its number of new samples.

    Refuses a number of samples that is not an integer, such as the 20.5 of
    ``sampling_strategy={1: 20.5}``, which would fail later on an array shape.
    A 0-d integer array or tensor (``{1: torch.tensor(20)}``) is an integer.
    """
    targets = {}
    for label, n_new in sampling_strategy_.items():
        count = _integer(n_new)
        if count is None:
            n_target = n_new + np.count_nonzero(y == label)
            raise ValueError(_not_an_integer(label, n_target))
        if count:
            targets[label] = count
    return targets


def _class_generators(random_state, labels):
    """One independent generator per class, keyed by the class label.

    The streams come from a single ``SeedSequence`` drawn from
    ``random_state``; each class gets the child keyed by its label, so adding
    or removing a class never changes another class's draws.
    """
    entropy = [int(v) for v in draw_seeds(random_state, size=4)]
    return {
        label: np.random.Generator(
            np.random.PCG64(
                np.random.SeedSequence(entropy, spawn_key=(_label_key(label),))
            )
        )
        for label in labels
    }


def _compute_dtype(dtype):
    return dtype if dtype in (np.float32, np.float64) else np.dtype(np.float64)


def _fill_dense(out, X_class, seeds, neighbor_of, generator, step_dtype):
    """Write ``len(seeds)`` synthetic rows into ``out``, block by block.

    Row ``i`` is ``x_s + u * (x_n - x_s)`` where ``s = seeds[i]``, ``n`` is a
    neighbour of ``s`` drawn uniformly from its row of ``neighbor_of`` and
    ``u`` is uniform in ``[0, 1)``. Never builds more than one block.
    """
    n_new = seeds.size
    n_features = X_class.shape[1]
    k = neighbor_of.shape[1]
    dtype = _compute_dtype(X_class.dtype)
    block = max(1, min(n_new, _DRAW_CHUNK, _BLOCK_VALUES // max(n_features, 1)))
    base = np.empty((block, n_features), dtype=dtype)
    diff = np.empty((block, n_features), dtype=dtype)
    source = X_class if X_class.dtype == dtype else X_class.astype(dtype)
    # A difference of two values above half the largest float may overflow.
    huge = _max_abs(source) > np.finfo(dtype).max / 2
    exact = _rounded_by_float64(X_class)
    for start in range(0, n_new, _DRAW_CHUNK):
        stop = min(start + _DRAW_CHUNK, n_new)
        cols = generator.integers(k, size=stop - start)
        steps = generator.random(stop - start).astype(step_dtype, copy=False)
        partners = neighbor_of[seeds[start:stop], cols]
        for lo in range(0, stop - start, block):
            hi = min(lo + block, stop - start)
            m = hi - lo
            seed_rows = seeds[start + lo : start + hi]
            if exact:  # 64-bit integers that float64 would round
                out[start + lo : start + hi] = _integer_steps(
                    X_class[seed_rows], X_class[partners[lo:hi]], steps[lo:hi, None]
                )
                continue
            b = np.take(source, seed_rows, axis=0, out=base[:m], mode="clip")
            d = np.take(source, partners[lo:hi], axis=0, out=diff[:m], mode="clip")
            target = out[start + lo : start + hi]
            if huge:
                target[...] = _huge_steps(b, d, steps[lo:hi, None])
                continue
            np.subtract(d, b, out=d)
            np.multiply(d, steps[lo:hi, None], out=d)
            if out.dtype.kind in "iu":  # truncated toward zero, as imbalanced-learn
                target[...] = _as_integers(b + d, out.dtype)
            else:  # float16 too: rounded to the nearest, which stays on the segment
                np.add(b, d, out=target)


def _sparse_rows(X_class, seeds, neighbor_of, generator, step_dtype):
    """The synthetic rows of ``_fill_dense`` for a sparse ``X_class``.

    Computed in floats, as there (64-bit integers beyond ``2**53`` exactly):
    differences of integers wrap around (``3 - 5`` is 254 in ``uint8``).
    """
    k = neighbor_of.shape[1]
    wrap = sparse.csr_matrix if sparse.isspmatrix(X_class) else sparse.csr_array
    dtype = _compute_dtype(X_class.dtype)
    source = X_class if X_class.dtype == dtype else X_class.astype(dtype)
    huge = _max_abs(source) > np.finfo(dtype).max / 2
    exact = _rounded_by_float64(X_class.data)
    blocks = []
    for start in range(0, seeds.size, _DRAW_CHUNK):
        stop = min(start + _DRAW_CHUNK, seeds.size)
        cols = generator.integers(k, size=stop - start)
        steps = generator.random(stop - start).astype(step_dtype, copy=False)
        partners = neighbor_of[seeds[start:stop], cols]
        if exact:  # 64-bit integers that float64 would round
            rows = _sparse_integer_steps(
                X_class[seeds[start:stop]], X_class[partners], steps
            )
            blocks.append(wrap(rows))
            continue
        base = source[seeds[start:stop]]
        partner = source[partners]
        if huge:  # as in ``_huge_steps``; finite, on the segment up to rounding
            base, partner = base * 0.5, partner * 0.5
        rows = base + wrap((partner - base).multiply(steps[:, None]))
        if huge:
            rows = rows * 2
            limit = np.finfo(rows.dtype).max
            np.clip(rows.data, -limit, limit, out=rows.data)
        if X_class.dtype.kind in "iu":
            values = _as_integers(rows.data, X_class.dtype)
            rows = wrap((values, rows.indices, rows.indptr), shape=rows.shape)
        blocks.append(rows.astype(X_class.dtype, copy=False))
    return blocks


# The shared parts of the docstrings of SMOTE, SMOTENC and SMOTEN.
_smote_docstring = _Substitution(
    sampling_strategy=BaseOverSampler._sampling_strategy_docstring,
    random_state=_per_class_random_state_docstring,
    sampling_strategy_attribute=_sampling_strategy_attribute_docstring,
    feature_attributes=_feature_attributes_docstring,
    smote_references=_smote_references_docstring,
)


@_smote_docstring
class SMOTE(_CheckedLabelsMixin, BaseOverSampler):
    """Over-sample with SMOTE, faster and lighter than imbalanced-learn's.

    Synthetic Minority Over-sampling TEchnique [1]_: each synthetic sample
    lies on the segment between a sample of the class (the seed) and one of
    its ``k_neighbors`` nearest neighbours of the same class, at a uniform
    random position. A drop-in replacement for
    :class:`imblearn.over_sampling.SMOTE`: its parameters (with ``skip_noise``
    and ``n_jobs`` besides), attributes and output layout, and synthetic
    samples distributed like imbalanced-learn's.
    It is faster (exact neighbour searches suited to the data, neighbours
    searched only for the seeds drawn) and never builds more than the
    output plus small blocks.

    Read more in the :ref:`User Guide <over_sampling>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    {sampling_strategy}

        For long-tailed, many-class data, see
        :class:`PowerSamplingStrategy` and
        :class:`EffectiveNumberSamplingStrategy`.

    {random_state}

    k_neighbors : int or object, default=5
        The neighbourhood of each seed. You can pass:

        - an `int`: the number of nearest neighbours of the same class, by
          exact Euclidean distance;
        - a nearest-neighbours estimator with ``kneighbors`` and
          ``kneighbors_graph`` (e.g. :class:`~sklearn.neighbors.NearestNeighbors`),
          cloned and fit on each class. As in imbalanced-learn, its
          ``n_neighbors`` counts the sample itself: pass ``k + 1``.

        A class with at most ``k_neighbors`` samples uses all its other
        samples as neighbours, with a warning.

    skip_noise : bool, default=False
        If True, a sample whose ``k_neighbors`` nearest neighbours among all
        the samples all belong to other classes is taken as noise and is not
        used as a seed (it may still be a seed's neighbour). If every sample
        of a class is noise, the class is over-sampled from all its samples,
        with a warning.

    n_jobs : int, default=None
        Number of threads of the neighbour searches. ``None`` means as in
        :class:`~sklearn.neighbors.NearestNeighbors`: for the tree search (up
        to 15 features) one thread, unless in a
        :func:`joblib.parallel_config` context that sets ``n_jobs``, and for
        the brute-force search (more features) the threads scikit-learn's own
        brute-force search uses (all cores, unless limited with
        ``OMP_NUM_THREADS`` or threadpoolctl). ``-1`` means all processors.
        Not used when ``k_neighbors`` is an estimator: its own ``n_jobs``
        applies.

    Attributes
    ----------
    {sampling_strategy_attribute}

    nn_k_ : estimator object
        The nearest-neighbours estimator of the neighbourhood, with
        ``k_neighbors + 1`` neighbours (the sample included). A clone of
        ``k_neighbors`` when it is an estimator, fit on the last class
        over-sampled; a :class:`~sklearn.neighbors.NearestNeighbors` left
        unfitted when it is an int (an equivalent exact search is used).

    {feature_attributes}

    See Also
    --------
    imblearn.over_sampling.SMOTE : The original implementation.
    PowerSamplingStrategy : A ``sampling_strategy`` for long tails.
    EffectiveNumberSamplingStrategy : A ``sampling_strategy`` from effective
        numbers of samples.

    Notes
    -----
    Differences from imbalanced-learn, none of which changes the distribution
    of the synthetic samples:

    - imbalanced-learn restarts the same random stream for every class when
      ``random_state`` is an int, so classes of equal size get the same
      pattern of seeds and steps; here each class has its own stream.
    - The neighbours of a seed exclude the seed itself even when it has
      duplicates (imbalanced-learn drops the first neighbour found, which
      may be a duplicate).
    - A class smaller than ``k_neighbors + 1`` is over-sampled with fewer
      neighbours (and a one-sample class is duplicated) instead of failing;
      one warning names such classes, the smallest first.
    - Float32 data is generated in float32, from the draws that float64
      data gets (the same samples up to rounding); float16 data is generated
      in float64 and rounded; integer data, as in imbalanced-learn, is
      generated in float64 and truncated (exactly for NumPy 64-bit integers
      beyond ``2**53``, which float64 rounds, outside a mixed frame); so are
      the integer columns of a DataFrame, and pandas' nullable integer
      dtypes (``Int64``), which imbalanced-learn fails to restore, are kept.
      Boolean data (NumPy ``bool``, pandas ``bool`` and ``boolean``
      columns) takes the nearer of the two samples' values (the interpolated
      value rounded); imbalanced-learn fails on NumPy ``bool`` and pandas
      ``boolean`` data, and makes a pandas ``bool`` column True wherever the
      seed or its neighbour is True.
    - The category columns of a DataFrame are refused, by name, even of
      numbers: imbalanced-learn interpolates numeric categories, and a value
      between two categories comes back missing (NaN).

    It is registered as a virtual subclass of imbalanced-learn's SMOTE when
    ``ltlearn.over_sampling`` is imported (it inherits nothing from it), so
    that :class:`~imblearn.combine.SMOTEENN` and
    :class:`~imblearn.combine.SMOTETomek` take it, or :class:`SMOTENC`, as
    their ``smote``.

    Neighbours are searched only for the seeds drawn. With up to 15 features a
    KD-tree is built on the class rotated onto its principal axes (a rotation
    keeps the distances; whole numbers are not rotated) and queried in its leaf
    order; with more, a blocked float32 brute-force search keeps the candidates
    within a rigorous bound of the float32 error and ranks them by exact
    float64 distances, and reads each block of pairs both ways when every
    sample is a seed. Sparse data and classes of at most twice
    ``k_neighbors + 1`` samples are searched by scikit-learn, whose neighbours
    in such a class are checked, and mended, by exact distances. The neighbours
    are exact (sparse data aside) up to the rounding of distances; those at
    equal distance are chosen by a rule that does not depend on the BLAS kernel
    or vector instructions, except in scikit-learn's searches and in a
    brute-force block whose queries average more than 1,024 candidates (many
    points at one distance), which it takes. Any finite values are accepted:
    data whose squared distances would overflow or underflow is searched scaled
    by a power of two (which keeps the order of the distances), and values too
    large for their differences to be finite are interpolated on halves.
    ``skip_noise=True`` adds one search among all the samples, for the samples
    of the classes over-sampled.

    {smote_references}

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from ltlearn.over_sampling import SMOTE
    >>> X, y = make_classification(n_classes=2, class_sep=2,
    ... weights=[0.1, 0.9], n_informative=3, n_redundant=1, flip_y=0,
    ... n_features=20, n_clusters_per_class=1, n_samples=1000, random_state=10)
    >>> np.bincount(y)
    array([100, 900])
    >>> X_res, y_res = SMOTE(random_state=42).fit_resample(X, y)
    >>> np.bincount(y_res)
    array([900, 900])
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        # a dict, where imbalanced-learn says Mapping: its check reads only a
        # dict, and another Mapping (a MappingProxyType) failed the fit with
        # "'NoneType' object has no attribute 'items'"
        "sampling_strategy": [
            dict if constraint is Mapping else constraint
            for constraint in BaseOverSampler._parameter_constraints[
                "sampling_strategy"
            ]
        ],
        "k_neighbors": [
            Interval(numbers.Integral, 1, None, closed="left"),
            HasMethods(["kneighbors", "kneighbors_graph"]),
        ],
        "skip_noise": ["boolean"],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=5,
        skip_noise=False,
        n_jobs=None,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.k_neighbors = k_neighbors
        self.skip_noise = skip_noise
        self.n_jobs = n_jobs

    def _check_X_y(self, X, y, accept_sparse=None):
        """As imbalanced-learn's, noting the integer and boolean columns.

        The synthetic values of integer columns of a DataFrame are truncated
        toward zero, as those of integer arrays, so that every integer dtype
        (pandas' nullable ``Int64`` included, which refuses fractions) takes
        them back; those of boolean columns are rounded.
        """
        integer = boolean = np.array([], dtype=np.intp)
        if is_pandas_df(X):
            from pandas.api.types import is_integer_dtype, is_numeric_dtype

            integer = np.flatnonzero([is_integer_dtype(dtype) for dtype in X.dtypes])
            boolean = np.flatnonzero([_is_boolean(dtype) for dtype in X.dtypes])
            _refuse_non_numeric(
                (name, X.iloc[:, j])
                for j, (name, dtype) in enumerate(X.dtypes.items())
                if not is_numeric_dtype(dtype)
            )
        _refuse_non_numeric_table(X)
        try:
            X_checked, y, binarize_y = super()._check_X_y(
                X, y, accept_sparse=accept_sparse
            )
        except (TypeError, ValueError) as error:
            _name_columns_check_array_refused(X, error)
            raise
        X_checked = _native_byte_order(X_checked)
        if _is_boolean(X_checked.dtype):
            boolean = np.arange(X_checked.shape[1])
        _note_columns(integer, boolean)
        return X_checked, y, binarize_y

    def _validate_estimator(self):
        """Build ``nn_k_`` from ``k_neighbors``, as imbalanced-learn does."""
        self.nn_k_ = check_neighbors_object(
            "k_neighbors", self.k_neighbors, additional_neighbor=1
        )
        if isinstance(self.k_neighbors, numbers.Integral):
            self.nn_k_.set_params(n_jobs=self.n_jobs)

    def _search(self, X, queries, n_neighbors):
        """Neighbours of ``X[queries]`` in ``X``, the query first."""
        estimator = None
        if not isinstance(self.k_neighbors, numbers.Integral):
            estimator = self.nn_k_
        indices, fitted = _kneighbors(
            X, queries, n_neighbors, estimator=estimator, n_jobs=self.n_jobs
        )
        if fitted is not None:
            self.nn_k_ = fitted
        return indices

    def _n_neighbors(self):
        """The neighbours asked of the search, the sample itself included."""
        if isinstance(self.k_neighbors, numbers.Integral):
            return self.k_neighbors + 1
        return getattr(self.nn_k_, "n_neighbors", None)

    def _noise_mask(self, X, y, rows):
        """For each class of ``rows`` (its rows in ``y``), which are noise."""
        n_neighbors = self._n_neighbors()
        if n_neighbors is None:
            raise ValueError(
                "skip_noise=True needs k_neighbors to be an int or an estimator "
                "with an n_neighbors attribute."
            )
        n_neighbors = min(n_neighbors, X.shape[0])
        queries = np.concatenate(list(rows.values()))
        indices = self._search(X, queries, n_neighbors)
        others = y[indices[:, 1:]] != y[queries][:, None]
        noise = others.all(axis=1) if n_neighbors > 1 else np.zeros(queries.size, bool)
        masks, start = {}, 0
        for label, class_indices in rows.items():
            masks[label] = noise[start : start + class_indices.size]
            start += class_indices.size
        return masks

    def _seeds_and_neighbors(self, X_class, label, n_new, pool, generator):
        """Draw the seeds; find the neighbours of the seeds drawn only.

        Returns the seeds (row indices of ``X_class``) and an array whose row
        ``s`` holds the neighbours of seed ``s`` (rows of seeds not drawn are
        left at zero and never read).
        """
        n_class = X_class.shape[0]
        seeds = pool[generator.integers(pool.size, size=n_new)]
        n_neighbors = self._n_neighbors()
        if n_neighbors is not None:
            n_neighbors = _capped_neighbors(label, n_class, n_neighbors)
        drawn = np.zeros(n_class, dtype=bool)
        drawn[seeds] = True
        queries = np.flatnonzero(drawn)
        indices = self._search(X_class, queries, n_neighbors)
        if indices.shape[1] < 2:
            raise ValueError(
                f"The k_neighbors estimator returned {indices.shape[1]} neighbour "
                "per sample; it must return the sample itself and at least one "
                "neighbour (n_neighbors >= 2)."
            )
        neighbor_of = np.zeros((n_class, indices.shape[1] - 1), dtype=np.intp)
        neighbor_of[queries] = indices[:, 1:]
        return seeds, neighbor_of

    def _fit_resample(self, X, y):
        self._validate_estimator()
        X = sum_duplicate_entries(X)
        boolean = _is_boolean(X.dtype)
        integer_columns, boolean_columns = _noted_columns()
        if _interpolated_in_floats(X, boolean_columns):
            X = X.astype(np.float64)  # interpolated as numbers, then rounded
        targets = _new_samples(self.sampling_strategy_, y)
        generators = _class_generators(self.random_state, targets)
        rows = _class_rows(y, targets)
        noise = self._noise_mask(X, y, rows) if self.skip_noise and targets else {}
        step_dtype = np.float32 if X.dtype == np.float32 else np.float64

        n_samples = X.shape[0]
        n_total = n_samples + sum(targets.values())
        y_res = np.empty(n_total, dtype=y.dtype)
        y_res[:n_samples] = y
        is_sparse = sparse.issparse(X)
        if is_sparse:
            X_parts = [X]
        else:
            X_res = np.empty((n_total, X.shape[1]), dtype=X.dtype)
            X_res[:n_samples] = X

        offset = n_samples
        for label, n_new in targets.items():
            class_indices = rows[label]
            X_class = X[class_indices]
            if is_sparse:
                X_class = X_class.tocsr()
            n_class = class_indices.size
            generator = generators[label]
            y_res[offset : offset + n_new] = label
            if n_class == 1:
                seeds, neighbor_of = _single_sample_draws(label, n_new)
            else:
                pool = np.arange(n_class)
                if label in noise:
                    pool = np.flatnonzero(~noise[label])
                    if pool.size == 0:
                        warnings.warn(
                            f"Every sample of class {_plain(label)!r} is noise (its "
                            "neighbours all belong to other classes); "
                            "skip_noise is ignored for this class.",
                            UserWarning,
                            stacklevel=external_stacklevel(),
                        )
                        pool = np.arange(n_class)
                seeds, neighbor_of = self._seeds_and_neighbors(
                    X_class, label, n_new, pool, generator
                )
            if is_sparse:
                X_parts.extend(
                    _sparse_rows(X_class, seeds, neighbor_of, generator, step_dtype)
                )
            else:
                _fill_dense(
                    X_res[offset : offset + n_new],
                    X_class,
                    seeds,
                    neighbor_of,
                    generator,
                    step_dtype,
                )
            offset += n_new

        if is_sparse:
            X_res = sparse.vstack(X_parts, format=X.format)
            if boolean:
                X_res.data = np.round(X_res.data)
                X_res.eliminate_zeros()
        else:
            new_rows = X_res[n_samples:]
            if len(integer_columns) and new_rows.dtype.kind == "f":
                new_rows[:, integer_columns] = np.trunc(new_rows[:, integer_columns])
            _round_boolean_columns(new_rows, boolean_columns)
        if boolean:
            X_res = X_res.astype(bool)
        return X_res, y_res


# A drop-in replacement is taken where imbalanced-learn asks for an instance
# of its SMOTE (the ``smote`` of SMOTEENN and SMOTETomek), as its own SMOTENC
# and SMOTEN are; the virtual subclass inherits nothing.
_ImblearnSMOTE.register(SMOTE)
