"""ltlearn's own contract checks, run over every public estimator.

They complement scikit-learn's and imbalanced-learn's estimator checks with
what ltlearn promises its users: the caller's arrays (``X``, ``y``,
``sample_weight``, array parameters such as cost matrices) are never
modified, the same ``random_state`` gives the same result, bad input fails
with an error that names the problem, tiny classes are handled or refused by
name, string, boolean, negative and float labels and pandas input work
(nullable, pyarrow and category dtypes too; a missing label is refused),
sparse input works where the estimator's tags declare it, a fitted estimator
pickles and predicting leaves it unchanged, integer ``sample_weight`` acts as
repeated rows, and samplers return exactly the class counts their
``sampling_strategy`` asks for.

Each ``check_*`` function takes an unfitted estimator, fits clones of it on
small data and raises an ``AssertionError`` (or the estimator's own error)
when the promise does not hold; it returns ``None`` when it holds or when it
does not concern the estimator. They run beside scikit-learn's
``check_estimator`` and ``parametrize_with_checks``, which they do not
repeat: a test module can list them in a ``pytest.mark.parametrize``.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from ltlearn.utils._checks_errors import check_clear_errors, check_one_sample_class
from ltlearn.utils._checks_input import (
    check_label_types,
    check_pandas_extension_dtypes,
    check_sparse_input,
    check_string_labels_and_pandas,
)
from ltlearn.utils._checks_output import (
    assert_predict_is_argmax_of_proba,
    check_predict_is_argmax_of_proba,
    check_resampled_counts,
    check_sample_weight_equivalence_to_repeats,
)
from ltlearn.utils._checks_state import (
    check_does_not_modify_input,
    check_global_state_untouched,
    check_pickle_round_trip,
    check_same_random_state_same_result,
)

__all__ = [
    "assert_predict_is_argmax_of_proba",
    "check_clear_errors",
    "check_does_not_modify_input",
    "check_global_state_untouched",
    "check_label_types",
    "check_one_sample_class",
    "check_pandas_extension_dtypes",
    "check_pickle_round_trip",
    "check_predict_is_argmax_of_proba",
    "check_resampled_counts",
    "check_same_random_state_same_result",
    "check_sample_weight_equivalence_to_repeats",
    "check_sparse_input",
    "check_string_labels_and_pandas",
]
