"""A fit that fails leaves its estimator unfitted."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import functools


def unfitted_on_error(*private):
    """Decorate ``fit`` so that an error in it leaves the estimator unfitted.

    A fit that fails part-way keeps the fitted attributes it has set, or
    those of a previous fit beside its own, and ``predict`` would take the
    half-done result for a fitted model (as the estimators that
    ``cross_validate(..., error_score=np.nan, return_estimator=True)``
    returns for the failed folds). The attributes that mark an estimator as
    fitted, those of ``sklearn.utils.validation.check_is_fitted`` (ending in
    ``_``), and the private fitted state named in ``private`` are removed
    before the error, or an interrupt (``KeyboardInterrupt``), propagates
    unchanged: ``predict`` then raises ``NotFittedError``. Parameters are
    kept, and a fit that succeeds is untouched.

    Put it above ``_fit_context``, so that a refit refused for a parameter
    (``set_params(...)`` then ``fit``) leaves the estimator unfitted too:
    the parameters no longer describe the previous fit.
    """

    def decorate(fit):
        @functools.wraps(fit)
        def wrapper(estimator, *args, **kwargs):
            try:
                return fit(estimator, *args, **kwargs)
            except BaseException:  # an interrupt too
                # an unbound call, fit(X, y) on the class (a class given as a
                # step of imbalanced-learn's Pipeline), has an array as
                # estimator, and its error is kept
                for name in [
                    name
                    for name in getattr(estimator, "__dict__", ())
                    if (name.endswith("_") and not name.startswith("__"))
                    or name in private
                ]:
                    delattr(estimator, name)
                raise

        return wrapper

    return decorate
