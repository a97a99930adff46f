"""SpeechClassifier: the speech emotion model zoo as a SciKeras classifier."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

from skmer.neural_network._base import _TRAINING_CONSTRAINTS, _KerasClassifierBase
from skmer.neural_network._blocks import _BlockSplitter, _check_positive_ints
from skmer.neural_network._speech_architectures import (
    SPEECH_ARCHITECTURES,
    build_speech_network,
)

__all__ = ["SpeechClassifier"]


class SpeechClassifier(_KerasClassifierBase):
    """Speech emotion classifier: one of eight networks on MFCC or log-mel.

    Takes the flat audio block of :class:`~skmer.feature_extraction.MFCCExtractor`
    or :class:`~skmer.feature_extraction.LogMelExtractor`, reshapes each row
    to its ``(n_bands, n_frames)`` matrix, and trains the network chosen by
    ``architecture`` from scratch: the paper's audio CNN, AlexNet, ResNet,
    Inception, VGG16, VGG19, an LSTM or a Transformer, each adapted to small
    spectrograms (see :func:`build_speech_network`). Training is the same as
    :class:`DualStreamClassifier`'s.

    Read more in the :ref:`User Guide <speech_zoo>`.

    Parameters
    ----------
    architecture : {'cnn', 'alexnet', 'resnet', 'inception', 'vgg16', \
'vgg19', 'lstm', 'transformer'}, default='cnn'
        The network. ``'cnn'`` is the audio stream of the dual-stream paper.

    audio_shape : tuple of int (n_bands, n_frames) or None, default=(40, 128)
        Shape of the matrix of each row, as the extractor makes it:
        ``(n_mfcc, n_frames)`` or ``(n_mels, n_frames)``. ``None`` reads each
        row as one column of ``n_features`` values (one frame), for instance
        statistics of the coefficients.

    width : int, default=16
        Base width of the network: its layer widths are multiples of it
        (see :func:`build_speech_network`). With 16, ``'cnn'`` has the
        paper's 32, 64 and 128 filters.

    dropout : float, default=0.3
        Dropout rate before the softmax layer, and inside the networks that
        have dropout (AlexNet's dense layers, the LSTM, the Transformer).

    batch_norm_momentum : float, default=0.9
        Momentum of the running statistics of the BatchNormalization layers
        (0.9 rather than Keras' 0.99: with a few hundred clips there are few
        steps per epoch).

    augment : bool, default=False
        Augment the training batches with time and frequency masking and
        Gaussian noise (standard deviation 0.1), which assumes standardised
        features.

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
        Factor of the learning rate when the monitored loss has not improved
        for ``reduce_lr_patience`` epochs.

    reduce_lr_patience : int or None, default=5
        Patience of the learning-rate reduction; ``None`` keeps the learning
        rate constant.

    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, ``{label: weight}``, multiplying
        ``sample_weight``. ``'balanced'`` weighs classes inversely to their
        frequency.

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, dropout, augmentation, the
        validation split and the shuffling of batches. Pass an int for
        reproducible results. See :term:`Glossary <random_state>`.

    run_eagerly : bool, default=False
        Run the Keras model eagerly instead of compiling it to a graph.

    verbose : int, default=0
        Keras' verbosity during fit.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.

    n_classes_ : int
        Number of classes.

    model_ : keras.Model
        The trained Keras model, with one input ``"audio"``.

    feature_encoder_ : transformer
        Reshapes X into the ``"audio"`` input of ``model_``.

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
    build_speech_network : The Keras networks, without scikit-learn.
    DualStreamClassifier : Face and voice; ``audio_architecture`` selects
        these networks for its audio stream.
    skmer.preprocessing.SpeakerNormalizer : Per-speaker standardisation.

    Notes
    -----
    Standardise the features before the network, inside the pipeline (a
    :class:`~sklearn.preprocessing.StandardScaler`, or
    :class:`~skmer.preprocessing.SpeakerNormalizer` when the speakers of the
    test clips are known and each has several clips).

    Evaluate with folds grouped by speaker (``GroupKFold``,
    ``LeaveOneGroupOut``): with a random split the network also recognises
    the speakers, and the accuracy is not that of new speakers.

    Examples
    --------
    >>> import numpy as np
    >>> from skmer.neural_network import SpeechClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((30, 8 * 12), dtype=np.float32)
    >>> y = np.repeat(["angry", "happy", "sad"], 10)
    >>> clf = SpeechClassifier(
    ...     "lstm", audio_shape=(8, 12), width=4, epochs=2,
    ...     early_stopping=False, random_state=0,
    ... ).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 3)
    """

    _parameter_constraints: dict = {
        "architecture": [StrOptions(set(SPEECH_ARCHITECTURES))],
        "audio_shape": [tuple, list, None],
        "width": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm_momentum": [Interval(Real, 0, 1, closed="both")],
        "augment": ["boolean"],
        **_TRAINING_CONSTRAINTS,
    }

    def __init__(
        self,
        architecture="cnn",
        *,
        audio_shape=(40, 128),
        width=16,
        dropout=0.3,
        batch_norm_momentum=0.9,
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
        self.architecture = architecture
        self.audio_shape = audio_shape
        self.width = width
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

    def _matrix_shape(self, n_features):
        """Return the (n_bands, n_frames) shape of rows of ``n_features``, or raise."""
        if self.audio_shape is None:
            return (n_features, 1)
        shape = _check_positive_ints(
            "audio_shape", self.audio_shape, length=2, axes="(n_bands, n_frames)"
        )
        width = shape[0] * shape[1]
        if n_features != width:
            raise ValueError(
                f"X has {n_features} columns, but {type(self).__name__} expects "
                f"{width}: the flattened matrix of audio_shape={shape}. Set "
                "audio_shape to the extractor's (n_mfcc or n_mels, n_frames)."
            )
        return shape

    def _check_params(self, n_features):
        self._matrix_shape(n_features)

    @property
    def feature_encoder(self):
        """Transformer that reshapes X into the model's ``"audio"`` input.

        Returns
        -------
        encoder : transformer
            Maps X of shape (n_samples, n_features) to a dict with the
            ``"audio"`` array of shape ``(n_samples, *audio_shape, 1)``.
        """
        shape = self._matrix_shape(self.n_features_in_)
        return _BlockSplitter(
            face_columns=None,
            face_shape=None,
            audio_columns=(0, self.n_features_in_),
            audio_shape=(*shape, 1),
        )

    def _build_model(self):
        """Build the network from the parameters and the data."""
        return build_speech_network(
            self._matrix_shape(self.n_features_in_),
            self.n_classes_,
            architecture=self.architecture,
            width=self.width,
            dropout=self.dropout,
            batch_norm_momentum=self.batch_norm_momentum,
            augment=self.augment,
            seed=self._random_state,
        )
