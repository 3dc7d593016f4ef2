"""The categorical columns of a user's table as the text of the training file."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import math
import re

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ltlearn._compare._data import _categories_as_text

# A decimal number as pandas reads it in a CSV cell: 01, -2, 1.50, .5, 1e3
# (ASCII digits only: pandas reads "١٢" or "１２" as text)
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# The spaces that pandas reads past around a number, not around a boolean
# (a no-break space "\xa0" keeps the cell as text).
_NUMBER_SPACES = " \t\n\r\x0b\x0c"


def _value(text):
    """What pandas reads a category's text as in a CSV cell, or None.

    Integers exactly ("01" and "1" are 1, whatever their size); other
    decimals as floats, an integral one as an int (1.0 and "1e0" are 1);
    a boolean in any case as "true" or "false" ("TRUE" and True are "true").
    """
    if text.lower() in ("true", "false"):
        return text.lower()
    text = text.strip(_NUMBER_SPACES)
    if not _DECIMAL.fullmatch(text):
        return None
    if text.lstrip("+-").isdigit():
        return int(text)
    value = float(text)
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() else value


def _by_value(categories):
    """``{value: text}`` of the categories that alone read as their value."""
    found = {}
    for text in categories:
        value = _value(text)
        if value is not None:
            found.setdefault(value, []).append(text)
    return {value: texts[0] for value, texts in found.items() if len(texts) == 1}


class _CategoriesAsText(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """The categorical columns of a user's table as text (a preprocessing step).

    Each cell is written as text (see :func:`_categories_as_text`). ``fit``
    keeps the categories of each column; ``transform`` reads a cell that is
    not one of them but reads as the same number or boolean as exactly one
    of them as that category (see :func:`_value`). pandas reads a batch of
    codes such as ``01`` and ``02`` as the numbers 1 and 2, and ``true`` as
    the boolean True, where the training file, whose column also held codes
    that are not numbers, kept the text ``"01"`` and ``"true"`` (and the
    other way round): a row's category then depended on the other rows of
    its batch, and was ignored as unseen when they were all numbers.
    """

    def fit(self, X, y=None):
        """Keep the categories of each column as text.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The categorical columns.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        validate_data(self, X, skip_check_array=True)
        text = _categories_as_text(X)
        self.by_value_ = [_by_value(set(column[column == column])) for column in text.T]
        return self

    def transform(self, X):
        """Write the cells as text, the categories of ``fit`` where they fit.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The categorical columns.

        Returns
        -------
        text : ndarray of shape (n_samples, n_features)
            An object array, NaN where a cell is missing.
        """
        check_is_fitted(self)
        validate_data(self, X, skip_check_array=True, reset=False)
        text = _categories_as_text(X)
        for j, by_value in enumerate(self.by_value_):
            if by_value:
                text[:, j] = _as_categories(text[:, j], by_value)
        return text


def _as_categories(column, by_value):
    """``column`` with each cell that is no category of ``by_value`` but
    reads as the value of one of them replaced by that category."""
    import pandas as pd

    cells = pd.Series(column, dtype=object)
    unknown = cells.notna() & ~cells.isin(list(by_value.values()))
    if not unknown.any():
        return column
    # each distinct cell is read once: a column repeats its categories
    others = cells[unknown]
    found = others.map({cell: by_value.get(_value(cell)) for cell in others.unique()})
    column = column.copy()
    column[np.flatnonzero(unknown.to_numpy())[found.notna().to_numpy()]] = found[
        found.notna()
    ].to_numpy()
    return column
