"""Long lists in messages: the first few items and how many there are."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

# A message lists at most this many classes, labels or columns.
LISTED = 10


def first_listed(texts, limit=LISTED):
    """The first ``limit`` of ``texts`` joined, with how many there are.

    ``"a, b, c"``, or beyond ``limit`` ``"a, b, ..., j, ... (300 in all)"``:
    a message about hundreds of classes or columns stays readable.

    Parameters
    ----------
    texts : iterable of str
        The items, as the message writes them.
    limit : int, default=10
        How many are written at most.

    Returns
    -------
    text : str
        The items written.
    """
    texts = list(texts)
    more = f", ... ({len(texts)} in all)" if len(texts) > limit else ""
    return ", ".join(texts[:limit]) + more
