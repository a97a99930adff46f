"""compare_modalities held to recorded results, its n_jobs, and McNemar's test
against published worked examples."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import SGDClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skmer.evaluation import compare_modalities, mcnemar_test

CLASSES = np.array(["ANG", "HAP", "SAD"])


class TaggedSGD(ClassifierMixin, BaseEstimator):
    """A seeded stand-in with a ``modalities`` parameter: logistic SGD on the
    face columns (the first 4), the audio columns or both.

    Like DualStreamClassifier, it predicts the most probable class, and it
    has ``validation_fraction`` and ``batch_size`` for the paper protocol.
    """

    def __init__(
        self,
        modalities="both",
        validation_fraction=0.1,
        batch_size=8,
        random_state=None,
    ):
        self.modalities = modalities
        self.validation_fraction = validation_fraction
        self.batch_size = batch_size
        self.random_state = random_state

    def _columns(self, X):
        X = np.asarray(X)
        return {"face": X[:, :4], "audio": X[:, 4:], "both": X}[self.modalities]

    def fit(self, X, y):
        self.model_ = SGDClassifier(
            loss="log_loss",
            early_stopping=True,
            validation_fraction=self.validation_fraction,
            random_state=self.random_state,
        ).fit(self._columns(X), y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(self._columns(X))

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def tagged_data(n_speakers=12, seed=0):
    """The class shifts one face column strongly and one audio column weakly."""
    rng = np.random.default_rng(seed)
    y = np.tile(CLASSES, n_speakers)
    groups = np.repeat(np.arange(n_speakers), len(CLASSES))
    code = np.searchsorted(CLASSES, y)
    X = rng.standard_normal((len(y), 8))
    X[np.arange(len(y)), code] += 1.5
    X[np.arange(len(y)), 4 + code] += 0.5
    return X, y, groups


def _compare_cv(**kwargs):
    X, y, groups = tagged_data()
    votes = pd.DataFrame(
        {
            "face_vote": y,
            "voice_vote": np.where(y == "ANG", "HAP", "ANG"),
            "multimodal_vote": [None, *y[1:]],
        }
    )
    return compare_modalities(
        TaggedSGD(random_state=0),
        X,
        y,
        groups=groups,
        cv=3,
        human_votes=votes,
        random_state=0,
        **kwargs,
    )


def _compare_paper(**kwargs):
    X, y, _ = tagged_data(n_speakers=20, seed=1)
    return compare_modalities(
        TaggedSGD(random_state=0), X, y, protocol="paper", random_state=0, **kwargs
    )


def _compare_wilcoxon(**kwargs):
    X, y, groups = tagged_data(seed=2)
    model = make_pipeline(FunctionTransformer(np.asarray), TaggedSGD(random_state=1))
    return compare_modalities(
        model,
        X.tolist(),
        y,
        groups=groups,
        test="wilcoxon",
        modalities=["face", "both"],
        random_state=3,
        **kwargs,
    )


def _compare_network(**kwargs):
    from skmer.neural_network import DualStreamClassifier

    rng = np.random.default_rng(0)
    y = np.tile(CLASSES, 10)
    groups = np.repeat(np.arange(10), 3)
    X = rng.random((30, 32), dtype=np.float32)
    X[np.arange(30), np.searchsorted(CLASSES, y)] += 1
    clf = DualStreamClassifier(
        face_shape=(4, 4, 1),
        audio_shape=(4, 4),
        filters=(2,),
        branch_units=4,
        head_units=(),
        epochs=6,
        batch_size=8,
        learning_rate=0.05,
        early_stopping=False,
        random_state=0,
    )
    return compare_modalities(clf, X, y, groups=groups, cv=2, random_state=0, **kwargs)


_CASES = {
    "cv": _compare_cv,
    "paper": _compare_paper,
    "wilcoxon": _compare_wilcoxon,
    "network": _compare_network,
}

# What compare_modalities returned for these cases before it moved onto
# sklearn's cross_validate, to 4 significant digits. Scores: model, fold,
# n_train, n_test, accuracy, precision_macro, recall_macro, f1_macro. Tests:
# model_b, test, metric, difference, statistic, pvalue (None for NaN).
# Predictions: the fold of each sample ("-" untested), the initials of the
# labels predicted for the tested ones and the sum of the confidences.
_RECORDED = {
    "cv": {
        "scores": [
            ("face", 0, 24, 12, 0.9167, 0.9333, 0.9167, 0.9153),
            ("audio", 0, 24, 12, 0.08333, 0.04167, 0.08333, 0.05556),
            ("fusion", 0, 24, 12, 0.75, 0.7556, 0.75, 0.746),
            ("face", 1, 24, 12, 0.8333, 0.8889, 0.8333, 0.8381),
            ("audio", 1, 24, 12, 0.3333, 0.2222, 0.3333, 0.2667),
            ("fusion", 1, 24, 12, 0.75, 0.7778, 0.75, 0.7429),
            ("face", 2, 24, 12, 0.6667, 0.6333, 0.6667, 0.6296),
            ("audio", 2, 24, 12, 0.1667, 0.15, 0.1667, 0.1574),
            ("fusion", 2, 24, 12, 0.8333, 0.8667, 0.8333, 0.8148),
        ],
        "tests": [
            ("face", "corrected_ttest", "accuracy", -0.02778, -0.1754, 0.8769),
            ("face", "corrected_ttest", "precision_macro", -0.01852, -0.09194, 0.9351),
            ("face", "corrected_ttest", "recall_macro", -0.02778, -0.1754, 0.8769),
            ("face", "corrected_ttest", "f1_macro", -0.02646, -0.155, 0.8911),
            ("face", "mcnemar", "accuracy", -0.02778, 3.0, 1.0),
            ("audio", "corrected_ttest", "accuracy", 0.5833, 4.427, 0.04742),
            ("audio", "corrected_ttest", "precision_macro", 0.662, 7.864, 0.01579),
            ("audio", "corrected_ttest", "recall_macro", 0.5833, 4.427, 0.04742),
            ("audio", "corrected_ttest", "f1_macro", 0.608, 5.774, 0.02871),
            ("audio", "mcnemar", "accuracy", 0.5833, 0.0, 9.537e-07),
        ],
        "predictions": {
            "fold": "000222111222000222000111000222111111",
            "y_pred_face": "AHSAHSAHSAHHAASAHAAHSSHSAHSSHAASSAHS",
            "confidence_face": 32.04,
            "y_pred_audio": "HSHSAAAHAASAHSHHSHHSHHHASHHHHHAAHHAH",
            "confidence_audio": 32.19,
            "y_pred_fusion": "ASSAHSAHSAHSASHAHAAHSAHSAHSAHHAASAAH",
            "confidence_fusion": 32.0,
        },
        "human": [
            ("face", "face_vote", 36, 0.8056, 1.0, 0.01562),
            ("audio", "voice_vote", 36, 0.1944, 0.0, 0.01562),
            ("fusion", "multimodal_vote", 35, 0.7714, 1.0, 0.007812),
        ],
    },
    "paper": {
        "scores": [
            ("face", 0, 49, 9, 0.7778, 0.8333, 0.7778, 0.7381),
            ("audio", 0, 49, 9, 0.6667, 0.7, 0.6667, 0.65),
            ("fusion", 0, 49, 9, 0.8889, 0.9167, 0.8889, 0.8857),
        ],
        "tests": [
            ("face", "corrected_ttest", "accuracy", 0.1111, None, None),
            ("face", "corrected_ttest", "precision_macro", 0.08333, None, None),
            ("face", "corrected_ttest", "recall_macro", 0.1111, None, None),
            ("face", "corrected_ttest", "f1_macro", 0.1476, None, None),
            ("face", "mcnemar", "accuracy", 0.1111, 0.0, 1.0),
            ("audio", "corrected_ttest", "accuracy", 0.2222, None, None),
            ("audio", "corrected_ttest", "precision_macro", 0.2167, None, None),
            ("audio", "corrected_ttest", "recall_macro", 0.2222, None, None),
            ("audio", "corrected_ttest", "f1_macro", 0.2357, None, None),
            ("audio", "mcnemar", "accuracy", 0.2222, 0.0, 0.5),
        ],
        "predictions": {
            "fold": "-0--------0--------00---0-----------0-----0----------0--0---",
            "y_pred_face": "HHHAAAASH",
            "confidence_face": 7.488,
            "y_pred_audio": "HHHSAHHSA",
            "confidence_audio": 7.753,
            "y_pred_fusion": "HHHSAAASH",
            "confidence_fusion": 8.0,
        },
    },
    "wilcoxon": {
        "scores": [
            ("face", 0, 27, 9, 0.5556, 0.4762, 0.5556, 0.4667),
            ("fusion", 0, 27, 9, 0.5556, 0.5, 0.5556, 0.4889),
            ("face", 1, 27, 9, 0.2222, 0.1667, 0.2222, 0.1852),
            ("fusion", 1, 27, 9, 0.3333, 0.2444, 0.3333, 0.2778),
            ("face", 2, 30, 6, 0.3333, 0.25, 0.3333, 0.2778),
            ("fusion", 2, 30, 6, 0.1667, 0.08333, 0.1667, 0.1111),
            ("face", 3, 30, 6, 0.3333, 0.2222, 0.3333, 0.2667),
            ("fusion", 3, 30, 6, 0.5, 0.6111, 0.5, 0.5222),
            ("face", 4, 30, 6, 0.6667, 0.6667, 0.6667, 0.6667),
            ("fusion", 4, 30, 6, 0.1667, 0.3333, 0.1667, 0.2222),
        ],
        "tests": [
            ("face", "wilcoxon", "accuracy", -0.07778, 4.0, 0.875),
            ("face", "wilcoxon", "precision_macro", -0.001905, 7.0, 1.0),
            ("face", "wilcoxon", "recall_macro", -0.07778, 4.0, 0.875),
            ("face", "wilcoxon", "f1_macro", -0.04815, 7.0, 1.0),
            ("face", "mcnemar", "accuracy", -0.05556, 5.0, 0.7744),
        ],
        "predictions": {
            "fold": "111111333000000444444333111222222000",
            "y_pred_face": "AASSAAHAAAAAAHAAHSHASAHHSAAHAAAHAAHA",
            "confidence_face": 31.35,
            "y_pred_fusion": "ASSSAHHAASASSHSHASHAAAHSSASHAHHHASHS",
            "confidence_fusion": 33.69,
        },
    },
    "network": {
        "scores": [
            ("face", 0, 15, 15, 0.4, 0.2348, 0.4, 0.2824),
            ("audio", 0, 15, 15, 0.3333, 0.1111, 0.3333, 0.1667),
            ("fusion", 0, 15, 15, 0.4, 0.2949, 0.4, 0.2804),
            ("face", 1, 15, 15, 0.3333, 0.1111, 0.3333, 0.1667),
            ("audio", 1, 15, 15, 0.3333, 0.1111, 0.3333, 0.1667),
            ("fusion", 1, 15, 15, 0.3333, 0.1111, 0.3333, 0.1667),
        ],
        "tests": [
            ("face", "corrected_ttest", "accuracy", 0.0, None, None),
            ("face", "corrected_ttest", "precision_macro", 0.03001, 0.5774, 0.6667),
            ("face", "corrected_ttest", "recall_macro", 0.0, None, None),
            ("face", "corrected_ttest", "f1_macro", -0.0009921, -0.5774, 0.6667),
            ("face", "mcnemar", "accuracy", 0.0, 9.0, 1.0),
            ("audio", "corrected_ttest", "accuracy", 0.03333, 0.5774, 0.6667),
            ("audio", "corrected_ttest", "precision_macro", 0.09188, 0.5774, 0.6667),
            ("audio", "corrected_ttest", "recall_macro", 0.03333, 0.5774, 0.6667),
            ("audio", "corrected_ttest", "f1_macro", 0.05688, 0.5774, 0.6667),
            ("audio", "mcnemar", "accuracy", 0.03333, 4.0, 1.0),
        ],
        "predictions": {
            "fold": "111000000111000111000000111111",
            "y_pred_face": "AAASASSASAAAASSAAASASSSSAAAAAA",
            "confidence_face": 11.99,
            "y_pred_audio": "SSSSSSSSSSSSSSSSSSSSSSSSSSSSSS",
            "confidence_audio": 11.95,
            "y_pred_fusion": "SSSAAAASASSSAAASSSAAAAASSSSSSS",
            "confidence_fusion": 11.76,
        },
    },
}
_SCORE_COLUMNS = ["model", "fold", "n_train", "n_test", "accuracy"]
_SCORE_COLUMNS += ["precision_macro", "recall_macro", "f1_macro"]
_TEST_COLUMNS = ["model_b", "test", "metric", "difference", "statistic", "pvalue"]
_HUMAN_COLUMNS = ["model", "human_votes", "n_samples", "model_accuracy"]
_HUMAN_COLUMNS += ["human_accuracy", "pvalue"]


def _assert_rows(frame, rows, columns):
    expected = pd.DataFrame.from_records(rows, columns=columns).fillna(np.nan)
    pd.testing.assert_frame_equal(
        frame[columns], expected, check_dtype=False, rtol=1e-3, atol=1e-8
    )


def _assert_recorded(result, recorded):
    assert list(result.scores.columns) == _SCORE_COLUMNS
    _assert_rows(result.scores, recorded["scores"], _SCORE_COLUMNS)
    assert list(result.tests.columns) == ["model_a", *_TEST_COLUMNS]
    assert (result.tests["model_a"] == "fusion").all()
    _assert_rows(result.tests, recorded["tests"], _TEST_COLUMNS)
    metrics = _SCORE_COLUMNS[4:]
    summary = result.scores.groupby("model", sort=False)[metrics].agg(["mean", "std"])
    summary.columns = [f"{metric}_{stat}" for metric, stat in summary.columns]
    pd.testing.assert_frame_equal(result.summary, summary.reset_index())
    predictions = result.predictions
    expected = recorded["predictions"]
    assert list(predictions.columns) == ["fold", "y_true", *list(expected)[1:]]
    fold = "".join("-" if f < 0 else str(f) for f in predictions["fold"])
    assert fold == expected["fold"]
    for column, value in expected.items():
        if column.startswith("y_pred"):
            pred = predictions.loc[predictions["fold"] >= 0, column]
            assert "".join(p[0] for p in pred) == value
        elif column.startswith("confidence"):
            assert predictions[column].sum() == pytest.approx(value, rel=1e-3)
    n_train = result.scores.groupby("fold")["n_train"].first()
    for (train, test), n in zip(result.cv, n_train, strict=True):
        assert len(train) == n
        assert not set(train) & set(test)
    if "human" in recorded:
        _assert_rows(result.human, recorded["human"], _HUMAN_COLUMNS)
    else:
        assert result.human is None


@pytest.mark.parametrize(
    "case", ["cv", "paper", "wilcoxon", pytest.param("network", marks=pytest.mark.slow)]
)
@pytest.mark.filterwarnings("ignore::skmer.exceptions.SpeakerLeakageWarning")
def test_compare_modalities_gives_the_recorded_results(case):
    _assert_recorded(_CASES[case](), _RECORDED[case])


# --- McNemar's test against published worked examples -----------------------


def _predictions(both, only_a, only_b, neither):
    """Labels and two models' predictions with the given 2x2 table of
    (correct, wrong) counts."""
    n = both + only_a + only_b + neither
    y = np.zeros(n, dtype=int)
    right_a = np.r_[np.ones(both + only_a), np.zeros(only_b + neither)]
    right_b = np.r_[np.ones(both), np.zeros(only_a), np.ones(only_b), np.zeros(neither)]
    return y, np.where(right_a == 1, 0, 1), np.where(right_b == 1, 0, 1)


def test_mcnemar_matches_the_mlxtend_worked_example():
    # mlxtend user guide, "McNemar's Test", Example 2 (scenario B): the table
    # [[9945, 25], [15, 15]] gives chi-squared 2.025 and p-value
    # 0.154728923485 with Edwards' continuity correction.
    # https://rasbt.github.io/mlxtend/user_guide/evaluate/mcnemar/
    result = mcnemar_test(*_predictions(9945, 25, 15, 15))
    assert result.statistic == pytest.approx(2.025)
    assert result.pvalue == pytest.approx(0.154728923485, rel=1e-9)


def test_mcnemar_matches_agresti_presidential_approval():
    # Agresti, Categorical Data Analysis (1990), p. 350: approval of the
    # President in two surveys of the same 1600 people, 794 approve twice,
    # 150 approve then disapprove, 86 disapprove then approve, 570
    # disapprove twice. R's mcnemar.test (continuity-corrected, its
    # documented example) reports McNemar's chi-squared = 16.818, p-value =
    # 4.115e-05.
    result = mcnemar_test(*_predictions(794, 150, 86, 570))
    assert result.statistic == pytest.approx(16.818, abs=5e-4)
    assert result.pvalue == pytest.approx(4.115e-05, rel=1e-3)


# --- folds in parallel -------------------------------------------------------


def _assert_same_result(result, other):
    assert list(result) == list(other)
    for key in ("scores", "summary", "tests", "predictions"):
        pd.testing.assert_frame_equal(result[key], other[key])
    if result.human is not None:
        pd.testing.assert_frame_equal(result.human, other.human)
    for (train, test), (other_train, other_test) in zip(
        result.cv, other.cv, strict=True
    ):
        np.testing.assert_array_equal(train, other_train)
        np.testing.assert_array_equal(test, other_test)


@pytest.mark.parametrize("case", ["cv", "paper"])
def test_compare_modalities_same_results_in_parallel(case):
    serial = _CASES[case](n_jobs=1, return_estimator=True)
    parallel = _CASES[case](n_jobs=2, return_estimator=True)
    _assert_same_result(serial, parallel)
    # The fitted models come back from the workers, one per fold and model.
    assert [sorted(models) for models in parallel.estimators] == [
        ["audio", "face", "fusion"]
    ] * len(parallel.cv)
    for models, other in zip(serial.estimators, parallel.estimators, strict=True):
        for name, model in models.items():
            np.testing.assert_array_equal(model.model_.coef_, other[name].model_.coef_)


def test_compare_modalities_verbose_prints_each_fold(capsys):
    _compare_wilcoxon(verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "fold 0 face: accuracy 0.556, macro-F1 0.467"
    assert lines[-1] == "fold 4 fusion: accuracy 0.167, macro-F1 0.222"
    assert len(lines) == 10
