"""The checks SMOTE, SMOTENC and SMOTEN make before imbalanced-learn's."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import sys

from imblearn.over_sampling.base import BaseOverSampler

from ltlearn.over_sampling._small_classes import (
    _name_class_below_count,
    _name_target_not_a_number,
    _SmallClassWarning,
)
from ltlearn.utils._fitted import unfitted_on_error
from ltlearn.utils._validation import check_no_missing_labels, check_one_label_type


class _CheckedLabelsMixin:
    """Refuse missing labels by row, and mixed label types, before imbalanced-learn.

    imbalanced-learn's checks fail on a nullable or object ``y`` with a
    missing label with "Unknown label type: unknown" or "Input y contains
    NaN", and on labels that mix strings and numbers with "Unknown label
    type: unknown" or a ``TypeError`` of Python's ``<``. A dict target
    below the count of its class, or not a number, is refused naming the
    class; the classes too small for the neighbours asked for make one
    warning. A fit that fails or is interrupted leaves the sampler unfitted,
    as the classifiers. A polars DataFrame is refused before the work:
    imbalanced-learn returns the resampled rows as a frame of the input's
    type only for pandas, and failed with "Field elements must be 2- or
    3-tuples" once it had resampled one.
    """

    @unfitted_on_error()
    def fit_resample(self, X, y, **params):
        polars = sys.modules.get("polars")  # only if loaded can X be its frame
        if polars is not None and isinstance(X, polars.DataFrame):
            raise TypeError(
                f"{type(self).__name__}.fit_resample takes an array, a sparse "
                "matrix or a pandas DataFrame, and returns the resampled X in "
                "the same kind; X is a polars DataFrame. Convert it with "
                "X.to_pandas() (to keep the column names and dtypes) or "
                "X.to_numpy(); in a pipeline, have the steps before it output "
                "pandas (set_output(transform='pandas'))."
            )
        check_no_missing_labels(y)
        check_one_label_type(y)
        try:
            with _SmallClassWarning():
                return super().fit_resample(X, y, **params)
        except ValueError as error:
            _name_class_below_count(
                self.sampling_strategy, y, self._sampling_type, error
            )
            raise
        except TypeError as error:
            _name_target_not_a_number(
                self.sampling_strategy, y, self._sampling_type, error
            )
            raise
        finally:
            self._drop_column_notes()

    fit_resample.__doc__ = BaseOverSampler.fit_resample.__doc__

    @unfitted_on_error()
    def fit(self, X, y, **params):
        try:
            return super().fit(X, y, **params)
        finally:
            self._drop_column_notes()

    fit.__doc__ = BaseOverSampler.fit.__doc__

    def _drop_column_notes(self):
        """Drop the notes of the input's integer and boolean columns.

        ``_check_X_y`` notes them for ``_fit_resample``; they are not
        attributes of the fitted sampler (imbalanced-learn's has none).
        """
        vars(self).pop("_integer_columns", None)
        vars(self).pop("_boolean_columns", None)
