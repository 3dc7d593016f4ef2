"""Sampling strategies for long-tailed data, to pass as ``sampling_strategy``."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval, validate_parameter_constraints

from ltlearn.utils._class_counts import inverse_effective_number


class _UnitInterval(Interval):
    """A real interval within ``[0, 1]`` that refuses booleans."""

    def __init__(self, *, closed):
        super().__init__(Real, 0, 1, closed=closed)

    def is_satisfied_by(self, val):
        return not isinstance(val, bool) and super().is_satisfied_by(val)


class _Strategy:
    """The call, parameters, copies and ``repr`` of the strategy callables.

    A subclass gives the unrounded target of each class (``_raw_targets``);
    the call rounds it and keeps it within ``[n_i, n_max]``.

    Like scikit-learn's Gaussian-process kernels, a strategy is not an
    estimator but has ``get_params`` and ``set_params``: ``clone`` copies it
    and a grid search can tune it through the sampler
    (``smote__sampling_strategy__q``).
    """

    _parameter_constraints: dict = {}

    def __init__(self, **params):
        self._set(params)

    def __call__(self, y):
        """Target number of samples of each class of ``y``.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            The labels.

        Returns
        -------
        targets : dict
            Each class mapped to its number of samples after over-sampling.
        """
        classes, counts = np.unique(np.asarray(y), return_counts=True)
        n_max = counts.max()
        targets = self._raw_targets(counts.astype(np.float64), float(n_max))
        # rounded half up, within [n_i, n_max]
        targets = np.clip(np.floor(targets + 0.5), counts, n_max).astype(np.int64)
        return {label: int(target) for label, target in zip(classes, targets)}

    def _raw_targets(self, counts, n_max):
        """Unrounded target of each class, from the class counts and the largest."""
        raise NotImplementedError

    def get_params(self, deep=True):
        """Get the parameters of this strategy.

        Parameters
        ----------
        deep : bool, default=True
            Ignored; a strategy holds no nested objects.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        return {name: getattr(self, name) for name in self._parameter_constraints}

    def set_params(self, **params):
        """Set the parameters of this strategy.

        Parameters
        ----------
        **params : dict
            New parameter values.

        Returns
        -------
        self : object
            The strategy.
        """
        for name in params:
            if name not in self._parameter_constraints:
                raise ValueError(
                    f"Invalid parameter {name!r} for {type(self).__name__}; "
                    f"valid parameters are {list(self._parameter_constraints)}."
                )
        self._set({**self.get_params(), **params})
        return self

    def _set(self, params):
        """Set ``params`` once they meet ``_parameter_constraints``."""
        validate_parameter_constraints(
            self._parameter_constraints, params, caller_name=type(self).__name__
        )
        for name, value in params.items():
            setattr(self, name, value)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other):
        return type(self) is type(other) and self.get_params() == other.get_params()

    def __hash__(self):
        return hash((type(self), tuple(self.get_params().items())))


class PowerSamplingStrategy(_Strategy):
    """Over-sample each class to ``n_max ** (1 - q) * n_i ** q`` samples.

    A callable for the ``sampling_strategy`` of an over-sampler: given ``y``
    it returns, for every class ``i``, the number of samples it should have
    after resampling, :math:`n_{max}^{1-q} n_i^{q}` rounded to the nearest
    integer, where :math:`n_i` is the class's count and :math:`n_{max}` the
    majority's. ``q=0`` balances all classes (like ``"all"``), ``q=0.5`` is
    square-root re-balancing, ``q=1`` leaves the data as it is. On a long
    tail it raises rare classes without making hundreds of copies of a
    handful of samples.

    .. versionadded:: 0.1

    Parameters
    ----------
    q : float, default=0.5
        The exponent, in ``[0, 1]``.

    See Also
    --------
    EffectiveNumberSamplingStrategy : Targets from the effective number of
        samples.
    SMOTE : The over-sampler that takes these strategies.

    Notes
    -----
    The targets never fall below a class's count nor exceed the majority's,
    so the returned dictionary is valid for any over-sampler of
    imbalanced-learn. Square-root sampling of the classes is the rule of
    Mahajan et al. and of decoupled long-tail training (Kang et al.).

    References
    ----------
    .. [1] D. Mahajan et al., "Exploring the limits of weakly supervised
       pretraining," ECCV, 2018.
    .. [2] B. Kang et al., "Decoupling representation and classifier for
       long-tailed recognition," ICLR, 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from ltlearn.over_sampling import PowerSamplingStrategy
    >>> y = np.repeat([0, 1, 2], [400, 100, 25])
    >>> targets = PowerSamplingStrategy(q=0.5)(y)
    >>> [targets[label] for label in (0, 1, 2)]
    [400, 200, 100]
    """

    _parameter_constraints: dict = {"q": [_UnitInterval(closed="both")]}

    def __init__(self, q=0.5):
        super().__init__(q=q)

    def _raw_targets(self, counts, n_max):
        q = float(self.q)
        return n_max ** (1.0 - q) * counts**q


class EffectiveNumberSamplingStrategy(_Strategy):
    """Over-sample in proportion to the class-balanced weights of Cui et al.

    A callable for the ``sampling_strategy`` of an over-sampler. The effective
    number of ``n`` samples is :math:`E_n = (1 - \\beta^n) / (1 - \\beta)`;
    the class-balanced loss weights class ``i`` by :math:`1 / E_{n_i}`. This
    strategy gives class ``i`` the count that weighting would give it relative
    to the majority, :math:`n_i E_{n_{max}} / E_{n_i}`, rounded to the nearest
    integer. ``beta=0`` leaves the data as it is; as ``beta`` nears 1 every
    class is raised to the majority's count.

    .. versionadded:: 0.1

    Parameters
    ----------
    beta : float, default=0.999
        The hyper-parameter :math:`\\beta` of the effective number, in
        ``[0, 1)``. Cui et al. use 0.9 to 0.9999; the larger the classes,
        the closer to 1 it must be to have an effect.

    See Also
    --------
    PowerSamplingStrategy : Targets ``n_max ** (1 - q) * n_i ** q``.
    SMOTE : The over-sampler that takes these strategies.

    Notes
    -----
    The target lies between the class's count and the majority's for every
    ``beta``, since :math:`E_n` grows with ``n`` while :math:`E_n / n` falls.

    References
    ----------
    .. [1] Y. Cui, M. Jia, T.-Y. Lin, Y. Song, S. Belongie, "Class-balanced
       loss based on effective number of samples," CVPR, 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from ltlearn.over_sampling import SMOTE, EffectiveNumberSamplingStrategy
    >>> X = np.random.RandomState(0).normal(size=(525, 2))
    >>> y = np.repeat([0, 1, 2], [400, 100, 25])
    >>> strategy = EffectiveNumberSamplingStrategy(beta=0.99)
    >>> targets = strategy(y)
    >>> [targets[label] for label in (0, 1, 2)]
    [400, 155, 111]
    >>> X_res, y_res = SMOTE(sampling_strategy=strategy).fit_resample(X, y)
    >>> np.bincount(y_res)
    array([400, 155, 111])
    """

    _parameter_constraints: dict = {"beta": [_UnitInterval(closed="left")]}

    def __init__(self, beta=0.999):
        super().__init__(beta=beta)

    def _raw_targets(self, counts, n_max):
        beta = float(self.beta)
        inverse = inverse_effective_number(counts, beta)
        return counts * inverse / inverse_effective_number(n_max, beta)
