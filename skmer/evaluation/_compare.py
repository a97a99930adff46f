"""Compare face-only, audio-only and fusion models on the same folds."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier
from sklearn.metrics import accuracy_score, precision_recall_fscore_support
from sklearn.model_selection import (
    StratifiedGroupKFold,
    StratifiedKFold,
    check_cv,
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


def _scores(y_true, y_pred, labels):
    precision, recall, f1, _ = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, average="macro", zero_division=0
    )
    return {
        "accuracy": accuracy_score(y_true, y_pred),
        "precision_macro": precision,
        "recall_macro": recall,
        "f1_macro": f1,
    }


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
    random_state=None,
    verbose=0,
):
    """Fit face-only, audio-only and fusion models on the same folds and compare.

    For each fold, ``estimator`` is cloned once per value of ``modalities``
    (its ``modalities`` parameter, or that of a Pipeline's last step), fitted
    on the training part and scored on the test part. The fusion model is
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
    random_state : int, RandomState instance or None, default=None
        Seeds the default folds and :func:`paper_split`. Seed the estimator
        itself through its own ``random_state``.
    verbose : int, default=0
        Print one line per fitted model when positive.

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
    >>> rng = np.random.default_rng(0)
    >>> y = np.tile(["ANG", "HAP", "SAD"], 10)
    >>> groups = np.repeat(np.arange(10), 3)
    >>> X = rng.random((30, 4 * 4 * 1 + 4 * 4), dtype=np.float32)
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
    y = np.asarray(y)
    if groups is not None:
        groups = np.asarray(groups)
        if len(groups) != len(y):
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
    rng = check_random_state(random_state)
    batch_size = estimator.get_params().get(
        param.replace("modalities", "batch_size"), 32
    )
    splits, validation_fraction = _check_splits(
        cv, y, groups, protocol, rng.randint(2**31 - 1), batch_size
    )
    labels = np.unique(y)

    fold_of = np.full(len(y), -1)
    preds = {m: np.empty(len(y), dtype=y.dtype) for m in modalities}
    confidence = {m: np.full(len(y), np.nan) for m in modalities}
    rows = []
    estimators = []
    for fold, (train, test_index) in enumerate(splits):
        fold_of[test_index] = fold
        estimators.append({})
        for modality in modalities:
            model = clone(estimator).set_params(**{param: modality})
            if validation_fraction is not None:
                name = param.replace("modalities", "validation_fraction")
                if name in model.get_params():
                    model.set_params(**{name: validation_fraction})
            model.fit(_safe_indexing(X, train), y[train])
            X_test = _safe_indexing(X, test_index)
            if hasattr(model, "predict_proba"):
                proba = model.predict_proba(X_test)
                classes = final_estimator(model).classes_
                pred = classes[np.argmax(proba, axis=1)]
                confidence[modality][test_index] = proba.max(axis=1)
            else:
                pred = model.predict(X_test)
            preds[modality][test_index] = pred
            if return_estimator:
                estimators[-1][MODEL_NAMES[modality]] = model
            row = {
                "model": MODEL_NAMES[modality],
                "fold": fold,
                "n_train": len(train),
                "n_test": len(test_index),
                **_scores(y[test_index], pred, labels),
            }
            rows.append(row)
            if verbose:
                print(
                    f"fold {fold} {MODEL_NAMES[modality]}: accuracy "
                    f"{row['accuracy']:.3f}, macro-F1 {row['f1_macro']:.3f}",
                    flush=True,
                )
    scores = pd.DataFrame(rows)
    summary = scores.groupby("model", sort=False)[METRICS].agg(["mean", "std"])
    summary.columns = [f"{metric}_{stat}" for metric, stat in summary.columns]
    summary = summary.reset_index()

    tested = fold_of >= 0
    predictions = pd.DataFrame({"fold": fold_of, "y_true": y})
    for modality in modalities:
        name = MODEL_NAMES[modality]
        predictions[f"y_pred_{name}"] = np.where(tested, preds[modality], None)
        if not np.all(np.isnan(confidence[modality])):
            predictions[f"confidence_{name}"] = confidence[modality]

    tests = _tests(scores, predictions[tested], modalities, test)
    human = None
    if human_votes is not None:
        human = _human_table(predictions[tested], human_votes[tested], modalities)
    result = Bunch(
        scores=scores,
        summary=summary,
        tests=tests,
        predictions=predictions,
        human=human,
        cv=splits,
    )
    if return_estimator:
        result.estimators = estimators
    return result


def _tests(scores, predictions, modalities, test):
    """Fusion against each unimodal model: per-fold test, then McNemar."""
    from scipy import stats

    rows = []
    if "both" not in modalities:
        return pd.DataFrame(
            columns=[
                "model_a",
                "model_b",
                "test",
                "metric",
                "difference",
                "statistic",
                "pvalue",
            ]
        )
    fusion = scores[scores["model"] == "fusion"].set_index("fold")
    y_true = predictions["y_true"].to_numpy()
    for modality in modalities:
        if modality == "both":
            continue
        name = MODEL_NAMES[modality]
        other = scores[scores["model"] == name].set_index("fold")
        for metric in METRICS:
            a, b = fusion[metric].to_numpy(), other[metric].to_numpy()
            if len(a) < 2:
                statistic, pvalue = np.nan, np.nan
            elif test == "corrected_ttest":
                statistic, pvalue = corrected_resampled_ttest(
                    a,
                    b,
                    n_train=fusion["n_train"].mean(),
                    n_test=fusion["n_test"].mean(),
                )
            elif np.all(a == b):
                statistic, pvalue = np.nan, np.nan
            else:
                result = stats.wilcoxon(a, b)
                statistic, pvalue = float(result.statistic), float(result.pvalue)
            rows.append(
                {
                    "model_a": "fusion",
                    "model_b": name,
                    "test": test,
                    "metric": metric,
                    "difference": float(np.mean(a - b)),
                    "statistic": statistic,
                    "pvalue": pvalue,
                }
            )
        pred_a = predictions["y_pred_fusion"].to_numpy()
        pred_b = predictions[f"y_pred_{name}"].to_numpy()
        statistic, pvalue = mcnemar_test(y_true, pred_a, pred_b)
        rows.append(
            {
                "model_a": "fusion",
                "model_b": name,
                "test": "mcnemar",
                "metric": "accuracy",
                "difference": float(
                    np.mean(pred_a == y_true) - np.mean(pred_b == y_true)
                ),
                "statistic": statistic,
                "pvalue": pvalue,
            }
        )
    return pd.DataFrame(rows)


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
