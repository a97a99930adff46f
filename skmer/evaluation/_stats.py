"""Paired significance tests for comparing two classifiers."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

from collections import namedtuple
from numbers import Integral

import numpy as np
from scipy import stats

__all__ = ["PairedTestResult", "corrected_resampled_ttest", "mcnemar_test"]

PairedTestResult = namedtuple("PairedTestResult", ["statistic", "pvalue"])
PairedTestResult.__doc__ = """Statistic and two-sided p-value of a test.

Parameters
----------
statistic : float
    The test statistic.
pvalue : float
    The two-sided p-value.
"""


def corrected_resampled_ttest(scores_a, scores_b, *, n_train, n_test):
    r"""Compare two models' scores on the same folds with the corrected t-test.

    The corrected resampled t-test of Nadeau and Bengio [1]_: a paired
    t-test over folds whose variance is inflated by ``n_test / n_train`` to
    account for the overlap of the training sets, which makes the plain
    paired t-test over cross-validation folds far too liberal.

    Parameters
    ----------
    scores_a : array-like of shape (n_folds,)
        Scores of the first model on each fold.
    scores_b : array-like of shape (n_folds,)
        Scores of the second model on the same folds, in the same order.
    n_train : int
        Number of training samples of a fold (their mean, if the folds
        differ).
    n_test : int
        Number of test samples of a fold (their mean, if the folds differ).

    Returns
    -------
    result : PairedTestResult
        ``statistic``: the t statistic of ``scores_a - scores_b`` with
        ``n_folds - 1`` degrees of freedom; ``pvalue``: its two-sided p-value.
        Both are NaN when the differences are all equal (zero variance) and
        ``statistic`` is the sign of their mean times infinity when they are
        equal but not zero.

    See Also
    --------
    mcnemar_test : Test on the pooled predictions of the two models.

    Notes
    -----
    With :math:`d_j` the score differences of the :math:`k` folds,

    .. math::

        t = \frac{\bar d}{\sqrt{(1/k + n_{test}/n_{train})\,\hat\sigma^2_d}}

    where :math:`\hat\sigma^2_d` is the sample variance of the :math:`d_j`.

    References
    ----------
    .. [1] C. Nadeau and Y. Bengio, "Inference for the generalization error",
       Machine Learning, 52(3), 239-281, 2003.

    Examples
    --------
    >>> from skmer.evaluation import corrected_resampled_ttest
    >>> a = [0.80, 0.85, 0.78, 0.90, 0.82]
    >>> b = [0.70, 0.72, 0.75, 0.80, 0.71]
    >>> result = corrected_resampled_ttest(a, b, n_train=144, n_test=36)
    >>> round(result.statistic, 3), round(result.pvalue, 4)
    (3.706, 0.0207)
    """
    scores_a = np.asarray(scores_a, dtype=float)
    scores_b = np.asarray(scores_b, dtype=float)
    if scores_a.ndim != 1 or scores_a.shape != scores_b.shape:
        raise ValueError(
            "scores_a and scores_b must be 1-D arrays of the same length (one "
            f"score per fold); got shapes {scores_a.shape} and {scores_b.shape}."
        )
    if len(scores_a) < 2:
        raise ValueError(
            f"The corrected t-test needs at least 2 folds; got {len(scores_a)}."
        )
    for name, value in (("n_train", n_train), ("n_test", n_test)):
        if not isinstance(value, (Integral, float)) or value <= 0:
            raise ValueError(f"{name} must be a positive number; got {value!r}.")
    diff = scores_a - scores_b
    k = len(diff)
    mean = diff.mean()
    variance = diff.var(ddof=1)
    if variance == 0:
        if mean == 0:
            return PairedTestResult(np.nan, np.nan)
        return PairedTestResult(np.sign(mean) * np.inf, 0.0)
    statistic = mean / np.sqrt((1 / k + n_test / n_train) * variance)
    pvalue = 2 * stats.t.sf(abs(statistic), df=k - 1)
    return PairedTestResult(float(statistic), float(pvalue))


def mcnemar_test(y_true, y_pred_a, y_pred_b, *, exact=None):
    r"""Compare two classifiers' predictions on the same samples (McNemar).

    Counts the samples that only the first model classifies correctly
    (:math:`b`) and those only the second does (:math:`c`), and tests
    whether the two are equally likely.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred_a : array-like of shape (n_samples,)
        Predictions of the first model.
    y_pred_b : array-like of shape (n_samples,)
        Predictions of the second model, on the same samples.
    exact : bool, default=None
        Use the exact binomial test (True) or the chi-squared statistic with
        Edwards' continuity correction (False). None uses the exact test when
        :math:`b + c < 25`, the usual rule.

    Returns
    -------
    result : PairedTestResult
        ``statistic``: :math:`\min(b, c)` for the exact test, else
        :math:`(|b - c| - 1)^2 / (b + c)`; ``pvalue``: the two-sided p-value
        (1.0 when the models disagree on no sample's correctness).

    See Also
    --------
    corrected_resampled_ttest : Test on per-fold scores.

    References
    ----------
    .. [1] Q. McNemar, "Note on the sampling error of the difference between
       correlated proportions or percentages", Psychometrika, 12(2),
       153-157, 1947.
    .. [2] T. G. Dietterich, "Approximate statistical tests for comparing
       supervised classification learning algorithms", Neural Computation,
       10(7), 1895-1923, 1998.

    Examples
    --------
    >>> from skmer.evaluation import mcnemar_test
    >>> y = ["a", "a", "b", "b", "a", "b"]
    >>> mcnemar_test(y, ["a", "a", "b", "b", "a", "b"], ["b", "b", "a", "b", "a", "b"])
    PairedTestResult(statistic=0.0, pvalue=0.25)
    """
    y_true = np.asarray(y_true)
    y_pred_a = np.asarray(y_pred_a)
    y_pred_b = np.asarray(y_pred_b)
    if not (y_true.ndim == 1 and y_true.shape == y_pred_a.shape == y_pred_b.shape):
        raise ValueError(
            "y_true, y_pred_a and y_pred_b must be 1-D arrays of the same length; "
            f"got shapes {y_true.shape}, {y_pred_a.shape} and {y_pred_b.shape}."
        )
    correct_a = y_pred_a == y_true
    correct_b = y_pred_b == y_true
    b = int(np.sum(correct_a & ~correct_b))
    c = int(np.sum(~correct_a & correct_b))
    if b + c == 0:
        return PairedTestResult(0.0, 1.0)
    if exact is None:
        exact = b + c < 25
    if exact:
        pvalue = stats.binomtest(min(b, c), b + c, 0.5).pvalue
        return PairedTestResult(float(min(b, c)), float(min(pvalue, 1.0)))
    statistic = (abs(b - c) - 1) ** 2 / (b + c)
    return PairedTestResult(float(statistic), float(stats.chi2.sf(statistic, df=1)))
