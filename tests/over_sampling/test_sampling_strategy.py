"""Tests of the long-tail sampling strategies: targets, parameters, errors."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from collections import Counter

import numpy as np
import pytest

from ltlearn.over_sampling import EffectiveNumberSamplingStrategy, PowerSamplingStrategy


@pytest.mark.parametrize("q", [0.0, 0.25, 0.5, 1.0])
def test_power_strategy_targets(q):
    y = np.repeat([3, 1, 2], [400, 100, 9])
    targets = PowerSamplingStrategy(q=q)(y)
    counts = Counter(y)
    for label, target in targets.items():
        assert target == int(np.floor(400 ** (1 - q) * counts[label] ** q + 0.5))
        assert counts[label] <= target <= 400
    if q == 0.0:
        assert set(targets.values()) == {400}
    if q == 1.0:
        assert targets == counts


@pytest.mark.parametrize("beta", [0.0, 0.9, 0.99, 0.999999])
def test_effective_number_strategy_targets(beta):
    y = np.repeat([0, 1, 2], [400, 100, 9])
    targets = EffectiveNumberSamplingStrategy(beta=beta)(y)
    counts = Counter(y)

    def effective(n):
        return (1 - beta**n) / (1 - beta)

    for label, target in targets.items():
        expected = counts[label] * effective(400) / effective(counts[label])
        assert target == int(np.floor(expected + 0.5))
        assert counts[label] <= target <= 400
    if beta == 0.0:
        assert targets == counts
    if beta == 0.999999:  # nearly 1: nearly balanced
        assert min(targets.values()) >= 399


def test_default_parameters_are_the_documented_ones():
    # q=0.5 (square-root re-balancing) and beta=0.999
    y = np.repeat([0, 1, 2], [400, 100, 25])
    assert PowerSamplingStrategy()(y) == {0: 400, 1: 200, 2: 100}
    assert EffectiveNumberSamplingStrategy().get_params() == {"beta": 0.999}


def test_strategies_raise_rare_classes_monotonically():
    y = np.repeat([0, 1, 2, 3], [500, 120, 30, 6])
    for strategy in (PowerSamplingStrategy(0.5), EffectiveNumberSamplingStrategy(0.99)):
        targets = strategy(y)
        ordered = [targets[label] for label in (0, 1, 2, 3)]
        assert ordered == sorted(ordered, reverse=True)


_Q_RANGE = (
    r"'q' parameter of PowerSamplingStrategy must be a float in the range "
    r"\[0.0, 1.0\]"
)


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: PowerSamplingStrategy(q=1.5), ValueError, _Q_RANGE),
        (lambda: PowerSamplingStrategy(q="half"), TypeError, _Q_RANGE),
        (lambda: PowerSamplingStrategy(q=True), TypeError, _Q_RANGE),
        (
            lambda: EffectiveNumberSamplingStrategy(beta=1.0),
            ValueError,
            r"'beta' parameter of EffectiveNumberSamplingStrategy must be a float "
            r"in the range \[0.0, 1.0\)",
        ),
        (
            lambda: PowerSamplingStrategy().set_params(beta=0.5),
            ValueError,
            "Invalid parameter 'beta'",
        ),
        (
            lambda: PowerSamplingStrategy().set_params(q=-1),
            ValueError,
            _Q_RANGE,
        ),
    ],
)
def test_strategy_errors(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_strategy_repr_params_and_equality():
    strategy = PowerSamplingStrategy(q=0.3)
    assert repr(strategy) == "PowerSamplingStrategy(q=0.3)"
    assert strategy.get_params() == {"q": 0.3}
    assert strategy.set_params(q=0.7) is strategy and strategy.q == 0.7
    assert strategy == PowerSamplingStrategy(q=0.7) != PowerSamplingStrategy(q=0.1)
    assert strategy != EffectiveNumberSamplingStrategy()
