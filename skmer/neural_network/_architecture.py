"""The dual-stream (face and voice) convolutional network, in plain Keras."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import keras
from keras import layers

from skmer.neural_network._layers import (
    SpecAugment,
    _conv_stack,
    _dense,
    _seeds,
    _StatisticsPooling,
)
from skmer.neural_network._speech_architectures import speech_features

__all__ = ["build_dual_stream_cnn"]


def _branch(x, units, *, dropout, momentum, seeds, name):
    """End stream ``name`` with a dense layer and dropout; pass x if units=0."""
    if not units:
        return x
    return _dense(
        x,
        units,
        dropout=dropout,
        momentum=momentum,
        seeds=seeds,
        name=f"{name}_branch",
        batch_norm=False,
    )


def _frame_encoder(
    face_shape,
    *,
    face_encoder,
    encoder_norm,
    filters,
    kernel_size,
    momentum,
    augment,
    seeds,
):
    """Keras model that maps one face frame to a feature vector."""
    frame = keras.Input(shape=face_shape, name="frame")
    x = frame
    if augment:
        x = layers.RandomFlip("horizontal", seed=next(seeds), name="face_flip")(x)
        x = layers.RandomBrightness(
            0.1, value_range=(0.0, 1.0), seed=next(seeds), name="face_brightness"
        )(x)
        x = layers.RandomContrast(
            0.1, value_range=(0.0, 1.0), seed=next(seeds), name="face_contrast"
        )(x)
    if face_encoder is None:
        x = _conv_stack(
            x,
            filters=filters,
            kernel_size=kernel_size,
            momentum=momentum,
            seeds=seeds,
            name="face",
        )
    else:
        # training=False keeps the pretrained BatchNormalization statistics
        # even when the encoder's weights are fine-tuned: a few hundred clips
        # are too few to re-estimate them.
        x = face_encoder(x, training=False)
        if encoder_norm:
            # Pretrained embeddings come at an arbitrary scale (about 0.15 for
            # FER2013's): standardise them for the layers trained on top.
            x = layers.BatchNormalization(momentum=momentum, name="face_embedding_bn")(
                x
            )
    return keras.Model(frame, x, name="face_frame_encoder")


def build_dual_stream_cnn(
    *,
    face_shape,
    audio_shape,
    n_classes,
    n_frames=1,
    frame_pooling="mean",
    lstm_units=128,
    face_encoder=None,
    encoder_norm=True,
    face_embedding_dim=None,
    filters=(32, 64, 128),
    kernel_size=3,
    branch_units=128,
    head_units=(256, 128),
    dropout=0.5,
    batch_norm_momentum=0.99,
    augment=False,
    audio_architecture="cnn",
    seed=None,
):
    """Build the dual-stream CNN for face frames and an MFCC matrix.

    Each stream is a small CNN: blocks of 3x3 convolution with ReLU, batch
    normalisation and 2x2 max pooling, then global average pooling and a
    dense layer with dropout. The two stream vectors are concatenated and
    go through dense layers with batch normalisation and dropout, then a
    softmax. Leave one stream out (``None``) to get a unimodal model with the
    same head.

    Parameters
    ----------
    face_shape : tuple of int (height, width, channels) or None
        Shape of one face frame. ``None`` builds a model without face frames
        (and without face stream unless ``face_embedding_dim`` is given).
    audio_shape : tuple of int (n_mfcc, n_frames) or None
        Shape of the MFCC matrix. ``None`` builds a model without audio stream.
    n_classes : int
        Number of classes: the width of the softmax output.
    n_frames : int, default=1
        Number of face frames per sample. With more than one, the face CNN
        runs on each frame and ``frame_pooling`` pools the frame vectors.
    frame_pooling : {'mean', 'max', 'mean_max', 'lstm'}, default='mean'
        How to pool the per-frame vectors: their mean, their element-wise
        maximum, both concatenated (``'mean_max'``, twice as wide), or the
        last state of an LSTM (the CNN-LSTM variant). Unused when
        ``n_frames=1``.
    lstm_units : int, default=128
        Width of the LSTM when ``frame_pooling='lstm'``.
    face_encoder : keras.Model, default=None
        A model mapping one frame of shape ``face_shape`` to a vector, used
        instead of the face CNN (for instance a pretrained network, see
        :func:`skmer.neural_network.load_face_encoder`). ``None`` builds the
        face CNN from scratch.
    encoder_norm : bool, default=True
        Standardise the outputs of ``face_encoder``, and the input
        ``"face_embedding"``, with a BatchNormalization layer. Unused without
        either.
    face_embedding_dim : int, default=None
        Width of per-frame embeddings computed outside the network (by a
        backbone Keras cannot run, such as ``cv2.dnn``'s ``'mobilefacenet'``),
        given as a second face input ``"face_embedding"`` of shape
        ``(face_embedding_dim,)``, or ``(n_frames, face_embedding_dim)`` when
        ``n_frames > 1``. Each frame's embedding is put beside its vector from
        the face frames (if ``face_shape`` is given) before the frames are
        pooled. None: no such input.
    filters : tuple of int, default=(32, 64, 128)
        Number of filters of each convolution block, in both streams.
    kernel_size : int, default=3
        Side of the square convolution kernels.
    branch_units : int, default=128
        Width of the dense layer that ends each stream. ``0`` ends each
        stream without one: its features (the pooled convolution maps, or
        the standardised embedding of ``face_encoder``) go to the fusion as
        they are.
    head_units : tuple of int, default=(256, 128)
        Widths of the dense layers after the concatenation.
    dropout : float, default=0.5
        Dropout rate after every dense layer.
    batch_norm_momentum : float, default=0.99
        Momentum of the running statistics of every BatchNormalization layer.
    augment : bool, default=False
        Add training-only augmentation layers: random horizontal flips and
        brightness and contrast jitter of the face frames; time and frequency
        masking (:class:`SpecAugment`) and Gaussian noise on the MFCC matrix.
    audio_architecture : {'cnn', 'stats', 'alexnet', 'resnet', 'inception', \
'vgg16', 'vgg19', 'lstm', 'transformer'}, default='cnn'
        Network of the audio stream before its dense layer. ``'cnn'`` is the
        paper's (the convolution blocks of ``filters``). ``'stats'`` pools
        each coefficient over time into its mean and standard deviation
        (``2 * n_mfcc`` values, then BatchNormalization), with no
        convolution. The others are the networks of
        :func:`build_speech_network`, with base width ``filters[0]``.
    seed : int, default=None
        Seed of the weight initialisers, dropout and augmentation layers.
        ``None`` draws fresh seeds.

    Returns
    -------
    model : keras.Model
        An uncompiled model whose inputs are named ``"face"`` (shape
        ``face_shape``, or ``(n_frames, *face_shape)`` when ``n_frames > 1``),
        ``"face_embedding"`` (with ``face_embedding_dim``) and ``"audio"``
        (shape ``(*audio_shape, 1)``), and whose output is the softmax over
        ``n_classes``.

    See Also
    --------
    DualStreamClassifier : This network as a scikit-learn classifier.

    Examples
    --------
    >>> from skmer.neural_network._architecture import build_dual_stream_cnn
    >>> model = build_dual_stream_cnn(
    ...     face_shape=(16, 16, 3), audio_shape=(8, 16), n_classes=3, filters=(4,)
    ... )
    >>> [tuple(t.shape) for t in model.inputs]
    [(None, 16, 16, 3), (None, 8, 16, 1)]
    >>> tuple(model.output.shape)
    (None, 3)
    """
    if face_shape is None and audio_shape is None and face_embedding_dim is None:
        raise ValueError(
            "At least one of face_shape and audio_shape must be given; got None "
            "for both."
        )
    seeds = _seeds(seed)
    # What both streams take. Each draws its seeds from ``seeds`` in turn,
    # the face stream first, so a seed gives the same network every time.
    stream_params = {
        "filters": filters,
        "kernel_size": kernel_size,
        "branch_units": branch_units,
        "dropout": dropout,
        "momentum": batch_norm_momentum,
        "augment": augment,
        "seeds": seeds,
    }
    inputs, streams = [], []
    if face_shape is not None or face_embedding_dim is not None:
        face_inputs, x = _face_stream(
            face_shape,
            face_embedding_dim,
            n_frames=n_frames,
            frame_pooling=frame_pooling,
            lstm_units=lstm_units,
            face_encoder=face_encoder,
            encoder_norm=encoder_norm,
            **stream_params,
        )
        inputs.extend(face_inputs)
        streams.append(x)
    if audio_shape is not None:
        audio, x = _audio_stream(
            audio_shape, audio_architecture=audio_architecture, **stream_params
        )
        inputs.append(audio)
        streams.append(x)
    output = _head(
        streams,
        n_classes,
        head_units=head_units,
        dropout=dropout,
        momentum=batch_norm_momentum,
        seeds=seeds,
    )
    return keras.Model(inputs, output, name="dual_stream_cnn")


def _face_stream(
    face_shape,
    face_embedding_dim,
    *,
    n_frames,
    frame_pooling,
    lstm_units,
    face_encoder,
    encoder_norm,
    filters,
    kernel_size,
    branch_units,
    dropout,
    momentum,
    augment,
    seeds,
):
    """Return the face inputs and the face stream's output vector.

    The frames go through the frame encoder (a CNN or a pretrained network),
    a given per-frame embedding through batch normalisation; with several
    frames, the per-frame vectors are pooled over time. The stream ends in
    its dense branch layer.
    """
    inputs, per_frame = [], []
    if face_shape is not None:
        face_shape = tuple(face_shape)
        frame_encoder = _frame_encoder(
            face_shape,
            face_encoder=face_encoder,
            encoder_norm=encoder_norm,
            filters=filters,
            kernel_size=kernel_size,
            momentum=momentum,
            augment=augment,
            seeds=seeds,
        )
        if n_frames == 1:
            face = keras.Input(shape=face_shape, name="face")
            per_frame.append(frame_encoder(face))
        else:
            face = keras.Input(shape=(n_frames, *face_shape), name="face")
            per_frame.append(
                layers.TimeDistributed(frame_encoder, name="face_frames")(face)
            )
        inputs.append(face)
    if face_embedding_dim is not None:
        frames_axis = () if n_frames == 1 else (n_frames,)
        embedding = keras.Input(
            shape=(*frames_axis, int(face_embedding_dim)), name="face_embedding"
        )
        inputs.append(embedding)
        x = embedding
        if encoder_norm:
            # As for face_encoder: standardise the pretrained embedding for
            # the layers trained on top (feature axis, last).
            x = layers.BatchNormalization(
                momentum=momentum, name="face_embedding_input_bn"
            )(x)
        per_frame.append(x)
    x = (
        per_frame[0]
        if len(per_frame) == 1
        else layers.Concatenate(name="face_encoders")(per_frame)
    )
    if n_frames > 1:
        x = _pool_frames(x, frame_pooling, lstm_units=lstm_units, seeds=seeds)
    return inputs, _branch(
        x, branch_units, dropout=dropout, momentum=momentum, seeds=seeds, name="face"
    )


def _pool_frames(x, frame_pooling, *, lstm_units, seeds):
    """Pool per-frame vectors ``(batch, frames, features)`` over the frames."""
    if frame_pooling == "lstm":
        return layers.LSTM(
            lstm_units,
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            recurrent_initializer=keras.initializers.Orthogonal(seed=next(seeds)),
            name="face_lstm",
        )(x)
    if frame_pooling not in ("mean", "max", "mean_max"):
        raise ValueError(
            "frame_pooling must be 'mean', 'max', 'mean_max' or 'lstm'; "
            f"got {frame_pooling!r}."
        )
    # max: for each feature, the frame where it peaks
    pooled = []
    if frame_pooling in ("mean", "mean_max"):
        pooled.append(layers.GlobalAveragePooling1D(name="face_frame_mean")(x))
    if frame_pooling in ("max", "mean_max"):
        pooled.append(layers.GlobalMaxPooling1D(name="face_frame_max")(x))
    if len(pooled) == 1:
        return pooled[0]
    return layers.Concatenate(name="face_frame_mean_max")(pooled)


def _audio_stream(
    audio_shape,
    *,
    audio_architecture,
    filters,
    kernel_size,
    branch_units,
    dropout,
    momentum,
    augment,
    seeds,
):
    """Return the audio input and the audio stream's output vector.

    The stream ends in its dense branch layer.
    """
    audio = keras.Input(shape=(*audio_shape, 1), name="audio")
    x = audio
    if augment:
        x = SpecAugment(seed=next(seeds), name="audio_mask")(x)
        x = layers.GaussianNoise(0.1, seed=next(seeds), name="audio_noise")(x)
    if audio_architecture == "stats":
        # MFCC statistics over time, standardised for the dense layer: the
        # features of the classic SVM baseline, at any input scale.
        x = _StatisticsPooling(name="audio_stats")(x)
        x = layers.BatchNormalization(momentum=momentum, name="audio_bn")(x)
    elif audio_architecture == "cnn":
        x = _conv_stack(
            x,
            filters=filters,
            kernel_size=kernel_size,
            momentum=momentum,
            seeds=seeds,
            name="audio",
        )
    else:
        x = speech_features(
            x,
            audio_architecture,
            width=filters[0],
            dropout=dropout,
            batch_norm_momentum=momentum,
            seeds=seeds,
        )
    return audio, _branch(
        x, branch_units, dropout=dropout, momentum=momentum, seeds=seeds, name="audio"
    )


def _head(streams, n_classes, *, head_units, dropout, momentum, seeds):
    """Concatenate the streams, then dense layers and the softmax."""
    x = streams[0] if len(streams) == 1 else layers.Concatenate(name="fusion")(streams)
    for index, units in enumerate(head_units):
        x = _dense(
            x,
            units,
            dropout=dropout,
            momentum=momentum,
            seeds=seeds,
            name=f"head{index}",
            batch_norm=True,
        )
    return layers.Dense(
        n_classes,
        activation="softmax",
        kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
        name="emotion",
    )(x)
