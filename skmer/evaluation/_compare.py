"""Compare face-only, audio-only and fusion models on the same folds."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier
from sklearn.metrics import f1_score, make_scorer, precision_score, recall_score
from sklearn.model_selection import (
    StratifiedGroupKFold,
    StratifiedKFold,
    check_cv,
    cross_validate,
    train_test_split,
)
from sklearn.model_selection._split import GroupsConsumerMixin
from sklearn.utils import Bunch, _safe_indexing, check_random_state

from skmer.evaluation._base import final_estimator
from skmer.evaluation._stats import corrected_resampled_ttest, mcnemar_test
from skmer.exceptions import SpeakerLeakageWarning
from skmer.utils._warnings import caller_stacklevel

__all__ = ["compare_modalities", "paper_split"]

# The output names of the ``modalities`` values, and the human vote column
# (load_crema_d's frame) that judged the same modality.
MODEL_NAMES = {"face": "face", "audio": "audio", "both": "fusion"}
HUMAN_VOTES = {"face": "face_vote", "audio": "voice_vote", "both": "multimodal_vote"}
METRICS = ["accuracy", "precision_macro", "recall_macro", "f1_macro"]
TEST_COLUMNS = ["model_a", "model_b", "test", "metric", "difference"]
TEST_COLUMNS += ["statistic", "pvalue"]


def paper_split(y, *, batch_size=32, random_state=None):
    """Split samples 70:15:15 into training, validation and test, as the paper.

    The split is stratified by class and random: it ignores speakers, so the
    same speaker's clips land in all three parts (see the User Guide). The
    training part is then trimmed to a whole number of batches, as the paper
    did, by dropping its last samples.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Class labels, used to stratify.
    batch_size : int, default=32
        Trim the training part to a multiple of this size; ``1`` keeps it
        whole.
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling. Pass an int for reproducible splits.

    Returns
    -------
    train : ndarray of int
        Indices of the training samples (about 70 %, a multiple of
        ``batch_size``).
    validation : ndarray of int
        Indices of the validation samples (15 %).
    test : ndarray of int
        Indices of the test samples (15 %).

    Examples
    --------
    >>> import numpy as np
    >>> from skmer.evaluation import paper_split
    >>> y = np.repeat(["ANG", "HAP", "SAD"], 60)
    >>> train, validation, test = paper_split(y, batch_size=32, random_state=0)
    >>> len(train), len(validation), len(test)
    (96, 27, 27)
    """
    y = np.asarray(y)
    if not isinstance(batch_size, Integral) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int; got {batch_size!r}.")
    rng = check_random_state(random_state)
    indices = np.arange(len(y))
    rest, test = train_test_split(
        indices, test_size=0.15, stratify=y, random_state=rng.randint(2**31 - 1)
    )
    train, validation = train_test_split(
        rest,
        test_size=0.15 / 0.85,
        stratify=y[rest],
        random_state=rng.randint(2**31 - 1),
    )
    n_train = len(train) - len(train) % batch_size
    if n_train == 0:
        raise ValueError(
            f"The training part of {len(train)} samples holds no whole batch of "
            f"batch_size={batch_size}. Pass more samples or a smaller batch_size."
        )
    return np.sort(train[:n_train]), np.sort(validation), np.sort(test)


def _modality_param(estimator):
    """Name of the ``modalities`` parameter of the estimator or its last step."""
    params = estimator.get_params()
    if "modalities" in params:
        return "modalities"
    name = getattr(estimator, "steps", [[None]])[-1][0]
    if name is not None and f"{name}__modalities" in params:
        return f"{name}__modalities"
    raise TypeError(
        "estimator must have a 'modalities' parameter (a DualStreamClassifier, "
        "alone or as the last step of a Pipeline); got "
        f"{type(final_estimator(estimator)).__name__}."
    )


def _check_splits(cv, y, groups, protocol, random_state, batch_size):
    """Return the list of (train, test) and the validation fraction, or warn."""
    if protocol == "paper":
        if groups is not None:
            warnings.warn(
                "protocol='paper' splits clips at random, so the same speakers "
                "are in the training and the test data: the scores overstate "
                "accuracy on new speakers. Use protocol='cv' (speaker-"
                "independent folds by groups) to evaluate, 'paper' only to "
                "reproduce the paper.",
                SpeakerLeakageWarning,
                stacklevel=caller_stacklevel(),
            )
        train, validation, test = paper_split(
            y, batch_size=batch_size, random_state=random_state
        )
        fraction = len(validation) / (len(train) + len(validation))
        return [(np.sort(np.concatenate([train, validation])), test)], fraction
    if cv is None or isinstance(cv, Integral):
        n_splits = 5 if cv is None else cv
        if groups is not None:
            cv = StratifiedGroupKFold(
                n_splits=n_splits, shuffle=True, random_state=random_state
            )
        else:
            cv = StratifiedKFold(
                n_splits=n_splits, shuffle=True, random_state=random_state
            )
    cv = check_cv(cv, y, classifier=True)
    if groups is not None and not isinstance(cv, GroupsConsumerMixin):
        warnings.warn(
            f"groups are given but cv={cv!r} ignores them, so clips of the same "
            "speaker are in the training and the test folds: the scores "
            "overstate accuracy on new speakers. Pass a group-aware splitter "
            "such as StratifiedGroupKFold, or cv=None.",
            SpeakerLeakageWarning,
            stacklevel=caller_stacklevel(),
        )
    return list(cv.split(np.zeros(len(y)), y, groups)), None


def _check_arguments(estimator, y, groups, protocol, test, modalities, human_votes):
    """Validate the arguments; return the modalities and the parameter name.

    The name is that of the ``modalities`` parameter of ``estimator`` or of
    its last step.
    """
    if protocol not in ("cv", "paper"):
        raise ValueError(f"protocol must be 'cv' or 'paper'; got {protocol!r}.")
    if test not in ("corrected_ttest", "wilcoxon"):
        raise ValueError(f"test must be 'corrected_ttest' or 'wilcoxon'; got {test!r}.")
    modalities = list(modalities)
    unknown = [m for m in modalities if m not in MODEL_NAMES]
    if not modalities or unknown or len(set(modalities)) != len(modalities):
        raise ValueError(
            "modalities must be distinct values among 'face', 'audio' and "
            f"'both'; got {modalities!r}."
        )
    if not is_classifier(estimator) and not is_classifier(final_estimator(estimator)):
        raise TypeError(
            f"estimator must be a classifier; got {type(estimator).__name__}."
        )
    param = _modality_param(estimator)
    if groups is not None and len(groups) != len(y):
        raise ValueError(
            f"groups must have one entry per sample ({len(y)}); got {len(groups)}."
        )
    if human_votes is not None:
        missing = [c for c in HUMAN_VOTES.values() if c not in human_votes.columns]
        if len(human_votes) != len(y) or missing:
            raise ValueError(
                "human_votes must be a DataFrame with one row per sample "
                f"({len(y)}) and the columns face_vote, voice_vote and "
                f"multimodal_vote; got {len(human_votes)} rows"
                + (f", missing {', '.join(missing)}." if missing else ".")
            )
    return modalities, param


def _scoring(labels):
    """Return the scorers of ``METRICS``, macro averages over ``labels``.

    A class of ``labels`` that a test fold neither holds nor predicts counts
    as 0, without a warning, so that every fold averages over the same
    classes.
    """
    macro = {"average": "macro", "labels": labels, "zero_division": 0}
    return {
        "accuracy": "accuracy",
        "precision_macro": make_scorer(precision_score, **macro),
        "recall_macro": make_scorer(recall_score, **macro),
        "f1_macro": make_scorer(f1_score, **macro),
    }


def _fit_folds(
    estimator,
    X,
    y,
    splits,
    *,
    param,
    modality,
    fraction,
    scoring,
    n_jobs,
    return_estimator,
):
    """Cross-validate the variant of ``estimator`` that sees ``modality``.

    Return what :func:`~sklearn.model_selection.cross_validate` returns, plus
    the out-of-fold ``y_pred`` and ``confidence``; without
    ``return_estimator``, the fitted models are dropped once they predicted,
    so that at most one modality's models are held at a time.
    """
    model = clone(estimator).set_params(**{param: modality})
    name = param.replace("modalities", "validation_fraction")
    if fraction is not None and name in model.get_params():
        model.set_params(**{name: fraction})
    run = cross_validate(
        model,
        X,
        y,
        cv=splits,
        scoring=scoring,
        n_jobs=n_jobs,
        return_estimator=True,
        return_indices=True,
        error_score="raise",
    )
    run["y_pred"], run["confidence"] = _out_of_fold(run, X, y)
    if not return_estimator:
        del run["estimator"]
    return run


def _out_of_fold(run, X, y):
    """Predicted class and its probability for each sample a fold tested."""
    pred = np.empty(len(y), dtype=y.dtype)
    confidence = np.full(len(y), np.nan)
    for model, test in zip(run["estimator"], run["indices"]["test"], strict=True):
        X_test = _safe_indexing(X, test)
        if hasattr(model, "predict_proba"):
            proba = model.predict_proba(X_test)
            pred[test] = final_estimator(model).classes_[np.argmax(proba, axis=1)]
            confidence[test] = proba.max(axis=1)
        else:
            pred[test] = model.predict(X_test)
    return pred, confidence


def _score_table(runs, splits):
    """One row per fold and model, in that order, with the scorers' values."""
    rows = [
        {
            "model": MODEL_NAMES[modality],
            "fold": fold,
            "n_train": len(train),
            "n_test": len(test),
            **{metric: run[f"test_{metric}"][fold] for metric in METRICS},
        }
        for fold, (train, test) in enumerate(splits)
        for modality, run in runs.items()
    ]
    scores = pd.DataFrame(rows)
    summary = scores.groupby("model", sort=False)[METRICS].agg(["mean", "std"])
    summary.columns = [f"{metric}_{stat}" for metric, stat in summary.columns]
    return scores, summary.reset_index()


def _prediction_table(runs, y, splits):
    """Tabulate the out-of-fold predictions of every model, one row a sample."""
    fold_of = np.full(len(y), -1)
    for fold, (_, test) in enumerate(splits):
        fold_of[test] = fold
    tested = fold_of >= 0
    predictions = pd.DataFrame({"fold": fold_of, "y_true": y})
    for modality, run in runs.items():
        name = MODEL_NAMES[modality]
        predictions[f"y_pred_{name}"] = np.where(tested, run["y_pred"], None)
        if not np.all(np.isnan(run["confidence"])):
            predictions[f"confidence_{name}"] = run["confidence"]
    return predictions, tested


def compare_modalities(
    estimator,
    X,
    y,
    *,
    groups=None,
    cv=None,
    protocol="cv",
    modalities=("face", "audio", "both"),
    test="corrected_ttest",
    human_votes=None,
    return_estimator=False,
    n_jobs=None,
    random_state=None,
    verbose=0,
):
    """Fit face-only, audio-only and fusion models on the same folds and compare.

    For each value of ``modalities``, ``estimator`` (its ``modalities``
    parameter, or that of a Pipeline's last step) is cross-validated with
    :func:`~sklearn.model_selection.cross_validate` on the same folds: fitted
    on each training part and scored on the test part, the folds in parallel
    with ``n_jobs``. The fusion model is
    then tested against each unimodal one: per metric with a paired test
    over the folds, and with McNemar's test on the pooled out-of-fold
    predictions.

    Read more in the :ref:`User Guide <evaluation_protocol>`.

    Parameters
    ----------
    estimator : estimator object
        A :class:`~skmer.neural_network.DualStreamClassifier` or a Pipeline
        ending in one (any classifier with a ``modalities`` parameter that
        takes ``'face'``, ``'audio'`` and ``'both'``). It is cloned, never
        fitted itself.
    X : array-like of shape (n_samples, n_features) or DataFrame
        Input of ``estimator``: the feature matrix, or what the Pipeline's
        first step takes (e.g. a DataFrame of paths).
    y : array-like of shape (n_samples,)
        Class labels.
    groups : array-like of shape (n_samples,), default=None
        Speaker (actor) of each sample. When given, the default folds are
        speaker-independent (:class:`~sklearn.model_selection.StratifiedGroupKFold`).
    cv : int, cross-validation generator or iterable, default=None
        Folds. None: 5 folds, stratified by class, grouped by speaker when
        ``groups`` is given. An int: that many such folds. A splitter that
        ignores given ``groups`` raises a
        :class:`~skmer.exceptions.SpeakerLeakageWarning`.
    protocol : {'cv', 'paper'}, default='cv'
        ``'cv'``: the folds of ``cv``. ``'paper'``: the paper's protocol, for
        reproduction only, a single stratified random 70:15:15 split
        (:func:`paper_split`, training part trimmed to a multiple of the
        estimator's ``batch_size``, 32 if it has none); the
        models train on the training and validation parts, with the
        classifier's ``validation_fraction`` set so that its early-stopping
        split has the size of the validation part. It ignores ``cv`` and
        warns when ``groups`` is given. With a single split the paired test
        over folds is undefined (NaN); McNemar's test still applies.
    modalities : sequence of str, default=('face', 'audio', 'both')
        Models to compare, among ``'face'``, ``'audio'`` and ``'both'``
        (fusion). The tests need ``'both'`` and at least one of the
        others.
    test : {'corrected_ttest', 'wilcoxon'}, default='corrected_ttest'
        Paired test over folds: the corrected resampled t-test of Nadeau and
        Bengio (:func:`corrected_resampled_ttest`) or the Wilcoxon
        signed-rank test (:func:`scipy.stats.wilcoxon`; with 5 folds its
        smallest two-sided p-value is 0.0625).
    human_votes : DataFrame, default=None
        Human ratings of the same samples, in the same order, with the
        columns ``face_vote``, ``voice_vote`` and ``multimodal_vote`` in the
        vocabulary of ``y``: the ``frame`` of
        :func:`~skmer.datasets.load_crema_d` when the release has
        ``summaryTable.csv``. Each model is then put next to the human
        raters of its modality on the clips both have.
    return_estimator : bool, default=False
        Keep the fitted models of every fold in ``estimators`` of the
        result.
    n_jobs : int, default=None
        Number of folds fitted in parallel, by
        :func:`~sklearn.model_selection.cross_validate` through joblib (so a
        ``joblib.parallel_config(backend="dask")`` block runs them on a Dask
        cluster). ``None`` means 1 unless in a joblib context; ``-1`` uses all
        processors. The results do not depend on it when the estimator's
        ``random_state`` is fixed. Each worker process holds its own model:
        mind the memory of several networks at once.
    random_state : int, RandomState instance or None, default=None
        Seeds the default folds and :func:`paper_split`. Seed the estimator
        itself through its own ``random_state``.
    verbose : int, default=0
        Print one line per fitted model when positive, once all the folds of
        its modality are done.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the following attributes.

        scores : DataFrame
            One row per model and fold: ``model`` (``'face'``, ``'audio'``
            or ``'fusion'``), ``fold``, ``n_train``, ``n_test``,
            ``accuracy``, ``precision_macro``, ``recall_macro`` and
            ``f1_macro`` (macro averages over classes).
        summary : DataFrame
            One row per model: the mean and standard deviation over folds
            of each metric (``accuracy_mean``, ``accuracy_std``, ...).
        tests : DataFrame
            One row per unimodal model, test and metric: ``model_a``
            (``'fusion'``), ``model_b``, ``test`` (``'corrected_ttest'``,
            ``'wilcoxon'`` or ``'mcnemar'``), ``metric``, ``difference``
            (mean over folds of fusion minus the other model; for McNemar,
            the difference of pooled accuracies), ``statistic`` and
            ``pvalue``.
        predictions : DataFrame
            One row per sample (in the order of ``X``): ``fold``, ``y_true``,
            and for each model ``y_pred_<model>`` and, when the estimator
            has ``predict_proba``, ``confidence_<model>`` (the largest class
            probability); the out-of-fold predictions. With
            ``protocol='paper'`` only the test part is predicted: the other
            rows have ``fold`` -1 and no predictions.
        human : DataFrame or None
            With ``human_votes``: one row per modality, ``model``,
            ``human_votes`` (the vote column), ``n_samples``,
            ``model_accuracy``, ``human_accuracy`` and the ``pvalue`` of
            McNemar's test between them. A tied human vote counts as wrong.
        cv : list of tuple
            The (train, test) indices of each fold.
        estimators : list of dict
            With ``return_estimator=True``: for each fold, the fitted
            models keyed by name (``'face'``, ``'audio'``, ``'fusion'``).

    Raises
    ------
    SpeakerLeakageWarning
        When ``groups`` is given but the split ignores it.

    See Also
    --------
    corrected_resampled_ttest : The default paired test over folds.
    mcnemar_test : The test on pooled predictions.

    Examples
    --------
    >>> import numpy as np
    >>> from skmer.evaluation import compare_modalities
    >>> from skmer.neural_network import DualStreamClassifier
    >>> y = np.tile(["ANG", "HAP", "SAD"], 10)
    >>> groups = np.repeat(np.arange(10), 3)
    >>> X = np.random.default_rng(0).random((30, 4 * 4 * 1 + 4 * 4), dtype=np.float32)
    >>> clf = DualStreamClassifier(
    ...     face_shape=(4, 4, 1), audio_shape=(4, 4), filters=(2,),
    ...     branch_units=4, head_units=(), epochs=1, early_stopping=False,
    ...     run_eagerly=True, random_state=0,
    ... )
    >>> result = compare_modalities(clf, X, y, groups=groups, cv=2, random_state=0)
    >>> result.summary["model"].tolist()
    ['face', 'audio', 'fusion']
    >>> sorted(set(result.tests["test"]))
    ['corrected_ttest', 'mcnemar']
    """
    y = np.asarray(y)
    groups = None if groups is None else np.asarray(groups)
    modalities, param = _check_arguments(
        estimator, y, groups, protocol, test, modalities, human_votes
    )
    rng = check_random_state(random_state)
    batch_size = estimator.get_params().get(
        param.replace("modalities", "batch_size"), 32
    )
    splits, fraction = _check_splits(
        cv, y, groups, protocol, rng.randint(2**31 - 1), batch_size
    )
    scoring = _scoring(np.unique(y))
    runs = {}
    for modality in modalities:
        runs[modality] = _fit_folds(
            estimator,
            X,
            y,
            splits,
            param=param,
            modality=modality,
            fraction=fraction,
            scoring=scoring,
            n_jobs=n_jobs,
            return_estimator=return_estimator,
        )
        if verbose:
            _print_scores(runs[modality], MODEL_NAMES[modality])
    scores, summary = _score_table(runs, splits)
    predictions, tested = _prediction_table(runs, y, splits)
    tests = _tests(scores, predictions[tested], modalities, test)
    human = None
    if human_votes is not None:
        human = _human_table(predictions[tested], human_votes[tested], modalities)
    result = Bunch(scores=scores, summary=summary, tests=tests)
    result.update(predictions=predictions, human=human, cv=splits)
    if return_estimator:
        result.estimators = [
            {MODEL_NAMES[m]: run["estimator"][fold] for m, run in runs.items()}
            for fold in range(len(splits))
        ]
    return result


def _print_scores(run, name):
    """One line per fold: the accuracy and macro-F1 of the model ``name``."""
    for fold, (accuracy, f1) in enumerate(
        zip(run["test_accuracy"], run["test_f1_macro"], strict=True)
    ):
        print(
            f"fold {fold} {name}: accuracy {accuracy:.3f}, macro-F1 {f1:.3f}",
            flush=True,
        )


def _fold_test(a, b, test, n_train, n_test):
    """Paired test of two models' scores over the folds: statistic, p-value."""
    from scipy import stats

    if len(a) < 2:
        return np.nan, np.nan
    if test == "corrected_ttest":
        return corrected_resampled_ttest(a, b, n_train=n_train, n_test=n_test)
    if np.all(a == b):
        return np.nan, np.nan
    result = stats.wilcoxon(a, b)
    return float(result.statistic), float(result.pvalue)


def _tests(scores, predictions, modalities, test):
    """Fusion against each unimodal model: per-fold test, then McNemar."""
    if "both" not in modalities:
        return pd.DataFrame(columns=TEST_COLUMNS)
    fusion = scores[scores["model"] == "fusion"].set_index("fold")
    n_train, n_test = fusion["n_train"].mean(), fusion["n_test"].mean()
    y_true = predictions["y_true"].to_numpy()
    pred_a = predictions["y_pred_fusion"].to_numpy()
    rows = []
    for name in (MODEL_NAMES[m] for m in modalities if m != "both"):
        other = scores[scores["model"] == name].set_index("fold")
        for metric in METRICS:
            a, b = fusion[metric].to_numpy(), other[metric].to_numpy()
            statistic, pvalue = _fold_test(a, b, test, n_train, n_test)
            difference = float(np.mean(a - b))
            rows.append(("fusion", name, test, metric, difference, statistic, pvalue))
        pred_b = predictions[f"y_pred_{name}"].to_numpy()
        statistic, pvalue = mcnemar_test(y_true, pred_a, pred_b)
        difference = float(np.mean(pred_a == y_true) - np.mean(pred_b == y_true))
        rows.append(
            ("fusion", name, "mcnemar", "accuracy", difference, statistic, pvalue)
        )
    return pd.DataFrame(rows, columns=TEST_COLUMNS)


def _human_table(predictions, votes, modalities):
    """Each model next to the human raters of its modality, on the same clips."""
    rows = []
    y_true = predictions["y_true"].to_numpy()
    for modality in modalities:
        name = MODEL_NAMES[modality]
        column = HUMAN_VOTES[modality]
        vote = votes[column].to_numpy()
        rated = pd.notna(vote)
        pred = predictions[f"y_pred_{name}"].to_numpy()[rated]
        truth = y_true[rated]
        human = vote[rated].astype(str)
        if rated.sum() == 0:
            model_accuracy = human_accuracy = pvalue = np.nan
        else:
            model_accuracy = float(np.mean(pred == truth))
            human_accuracy = float(np.mean(human == truth))
            pvalue = mcnemar_test(truth, pred, human).pvalue
        rows.append(
            {
                "model": name,
                "human_votes": column,
                "n_samples": int(rated.sum()),
                "model_accuracy": model_accuracy,
                "human_accuracy": human_accuracy,
                "pvalue": pvalue,
            }
        )
    return pd.DataFrame(rows)
