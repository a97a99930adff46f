"""Speech emotion networks adapted to small spectrograms: plain Keras builders."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import keras
from keras import layers

from skmer.neural_network._layers import (
    PositionEmbedding,
    SpecAugment,
    _conv_stack,
    _dense,
    _seeds,
)

__all__ = ["SPEECH_ARCHITECTURES", "build_speech_network", "speech_features"]

# The architectures of the comparison of the speech paper, plus the audio
# stream of the dual-stream paper ("cnn").
SPEECH_ARCHITECTURES = (
    "cnn",
    "alexnet",
    "resnet",
    "inception",
    "vgg16",
    "vgg19",
    "lstm",
    "transformer",
)


def _glorot(seeds):
    return keras.initializers.GlorotUniform(seed=next(seeds))


def _he(seeds):
    return keras.initializers.HeNormal(seed=next(seeds))


def _conv_bn(x, filters, kernel, *, seeds, momentum, name, strides=1, relu=True):
    """Conv2D (no bias) + BatchNormalization (+ ReLU), 'same' padding."""
    x = layers.Conv2D(
        filters,
        kernel,
        strides=strides,
        padding="same",
        use_bias=False,
        kernel_initializer=_he(seeds),
        name=f"{name}_conv",
    )(x)
    x = layers.BatchNormalization(momentum=momentum, name=f"{name}_bn")(x)
    if relu:
        x = layers.ReLU(name=f"{name}_relu")(x)
    return x


def _pool(x, name, size=2, strides=None):
    # 'same' padding: a side of length 1 (one frame, one coefficient) stays 1.
    return layers.MaxPooling2D(size, strides=strides, padding="same", name=name)(x)


def _alexnet(x, *, width, momentum, dropout, seeds):
    """AlexNet: five convolutions, three poolings, two dense layers.

    The original's 11x11 stride-4 first convolution would reduce a 64-band
    spectrogram to 14 rows at once: here it is 5x5 with stride 1. Widths are
    (96, 256, 384, 384, 256) scaled by ``width / 16`` (6, 16, 24, 24, 16
    times ``width / 16``), with BatchNormalization instead of local response
    normalisation, and the two 4096-unit dense layers shrink to
    ``8 * width`` units each.
    """
    w = width
    x = _conv_bn(x, 2 * w, 5, seeds=seeds, momentum=momentum, name="alex1")
    x = _pool(x, "alex_pool1", size=3, strides=2)
    x = _conv_bn(x, 4 * w, 5, seeds=seeds, momentum=momentum, name="alex2")
    x = _pool(x, "alex_pool2", size=3, strides=2)
    x = _conv_bn(x, 6 * w, 3, seeds=seeds, momentum=momentum, name="alex3")
    x = _conv_bn(x, 6 * w, 3, seeds=seeds, momentum=momentum, name="alex4")
    x = _conv_bn(x, 4 * w, 3, seeds=seeds, momentum=momentum, name="alex5")
    x = _pool(x, "alex_pool5", size=3, strides=2)
    x = layers.GlobalAveragePooling2D(name="alex_gap")(x)
    for index in (1, 2):
        x = _dense(
            x,
            8 * w,
            dropout=dropout,
            momentum=momentum,
            seeds=seeds,
            name=f"alex_fc{index}",
            batch_norm=False,
        )
    return x


def _vgg(x, *, convs, width, momentum, seeds, name):
    """VGG: blocks of 3x3 convolutions, each block ending in 2x2 pooling.

    Five blocks of ``convs`` convolutions, (64, 128, 256, 512, 512) filters
    scaled by ``width / 64`` (``width`` times 1, 2, 4, 8, 8), with
    BatchNormalization after each convolution (VGG trained without it needed
    a staged initialisation), and global average pooling instead of the
    three dense layers of 4096 units.
    """
    for block, (n_convs, factor) in enumerate(zip(convs, (1, 2, 4, 8, 8), strict=True)):
        for conv in range(n_convs):
            x = _conv_bn(
                x,
                factor * width,
                3,
                seeds=seeds,
                momentum=momentum,
                name=f"{name}_b{block + 1}c{conv + 1}",
            )
        x = _pool(x, f"{name}_pool{block + 1}")
    return layers.GlobalAveragePooling2D(name=f"{name}_gap")(x)


def _residual(x, filters, *, strides, seeds, momentum, name):
    """Apply a basic residual block: two 3x3 convolutions and a shortcut."""
    shortcut = x
    if strides != 1 or x.shape[-1] != filters:
        shortcut = _conv_bn(
            x,
            filters,
            1,
            strides=strides,
            seeds=seeds,
            momentum=momentum,
            name=f"{name}_proj",
            relu=False,
        )
    x = _conv_bn(
        x, filters, 3, strides=strides, seeds=seeds, momentum=momentum, name=f"{name}_a"
    )
    x = _conv_bn(
        x, filters, 3, seeds=seeds, momentum=momentum, name=f"{name}_b", relu=False
    )
    x = layers.Add(name=f"{name}_add")([x, shortcut])
    return layers.ReLU(name=f"{name}_out")(x)


def _resnet(x, *, width, momentum, seeds):
    """ResNet-18's layout: four stages of two basic blocks.

    Widths ``width`` times (1, 2, 4, 8) (64 to 512 in the original for
    ``width=64``); the stem is one 3x3 convolution without stride, then 2x2
    max pooling (the original's 7x7 stride-2 convolution and 3x3 stride-2
    pooling divide the sides by four before the first block, too much for a
    small spectrogram). Stages 2 to 4 halve both axes.
    """
    x = _conv_bn(x, width, 3, seeds=seeds, momentum=momentum, name="res_stem")
    x = _pool(x, "res_stem_pool")
    for stage, factor in enumerate((1, 2, 4, 8)):
        for block in range(2):
            strides = 2 if stage > 0 and block == 0 else 1
            x = _residual(
                x,
                factor * width,
                strides=strides,
                seeds=seeds,
                momentum=momentum,
                name=f"res_s{stage + 1}b{block + 1}",
            )
    return layers.GlobalAveragePooling2D(name="res_gap")(x)


def _inception_module(x, filters, *, seeds, momentum, name):
    """GoogLeNet's module: 1x1, 1x1-3x3, 1x1-5x5 and pool-1x1 branches."""
    quarter = max(filters // 4, 1)
    branch1 = _conv_bn(x, quarter, 1, seeds=seeds, momentum=momentum, name=f"{name}_1")
    branch3 = _conv_bn(x, quarter, 1, seeds=seeds, momentum=momentum, name=f"{name}_3r")
    branch3 = _conv_bn(
        branch3, quarter, 3, seeds=seeds, momentum=momentum, name=f"{name}_3"
    )
    branch5 = _conv_bn(x, quarter, 1, seeds=seeds, momentum=momentum, name=f"{name}_5r")
    branch5 = _conv_bn(
        branch5, quarter, 5, seeds=seeds, momentum=momentum, name=f"{name}_5"
    )
    pooled = layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x)
    pooled = _conv_bn(
        pooled, quarter, 1, seeds=seeds, momentum=momentum, name=f"{name}_p"
    )
    return layers.Concatenate(name=f"{name}_concat")(
        [branch1, branch3, branch5, pooled]
    )


def _inception(x, *, width, momentum, seeds):
    """GoogLeNet (Inception v1), shortened: a stem and four modules.

    A 3x3 stem convolution of ``width`` filters and 2x2 pooling, then two
    modules of ``4 * width`` channels, pooling, and two of ``8 * width``
    (GoogLeNet stacks nine modules of 256 to 1024 channels after a 7x7
    stride-2 stem on 224x224 images). Each module concatenates four
    branches of a quarter of its channels.
    """
    x = _conv_bn(x, width, 3, seeds=seeds, momentum=momentum, name="inc_stem")
    x = _pool(x, "inc_pool0")
    for index, factor in enumerate((4, 4)):
        x = _inception_module(
            x, factor * width, seeds=seeds, momentum=momentum, name=f"inc_3{index}"
        )
    x = _pool(x, "inc_pool1")
    for index, factor in enumerate((8, 8)):
        x = _inception_module(
            x, factor * width, seeds=seeds, momentum=momentum, name=f"inc_4{index}"
        )
    return layers.GlobalAveragePooling2D(name="inc_gap")(x)


def _as_sequence(x, name):
    """(batch, n_bands, n_frames, 1) -> (batch, n_frames, n_bands)."""
    x = layers.Reshape(tuple(x.shape[1:3]), name=f"{name}_squeeze")(x)
    return layers.Permute((2, 1), name=f"{name}_time_major")(x)


def _lstm(x, *, width, dropout, seeds):
    """Two stacked LSTMs of ``4 * width`` units over the frames.

    Each frame's column of coefficients is one time step. The output is the
    mean of the second LSTM's states over time (the last state alone
    forgets the start of the clip).
    """
    x = _as_sequence(x, "lstm")
    for index in (1, 2):
        x = layers.LSTM(
            4 * width,
            return_sequences=True,
            dropout=dropout,
            kernel_initializer=_glorot(seeds),
            recurrent_initializer=keras.initializers.Orthogonal(seed=next(seeds)),
            seed=next(seeds),
            name=f"lstm{index}",
        )(x)
    return layers.GlobalAveragePooling1D(name="lstm_mean")(x)


def _transformer(x, *, width, dropout, seeds, n_blocks=2, n_heads=4):
    """Run a small Transformer encoder over the frames.

    Frames are paired (1x2 average pooling halves the sequence), projected
    to ``d = 4 * width`` features, given a learnt position embedding, then
    go through two pre-norm encoder blocks (multi-head self-attention with
    four heads, a feed-forward layer of ``2 * d`` units, residual
    connections); the output is the mean over time.
    """
    x = layers.AveragePooling2D((1, 2), padding="same", name="tr_pair_frames")(x)
    x = _as_sequence(x, "tr")
    d_model = 4 * width
    x = layers.Dense(d_model, kernel_initializer=_glorot(seeds), name="tr_project")(x)
    x = PositionEmbedding(seed=next(seeds), name="tr_position")(x)
    for index in range(n_blocks):
        name = f"tr_block{index}"
        h = layers.LayerNormalization(name=f"{name}_ln1")(x)
        h = layers.MultiHeadAttention(
            n_heads,
            max(d_model // n_heads, 1),
            dropout=dropout,
            kernel_initializer=_glorot(seeds),
            seed=next(seeds),
            name=f"{name}_attention",
        )(h, h)
        x = layers.Add(name=f"{name}_add1")([x, h])
        h = layers.LayerNormalization(name=f"{name}_ln2")(x)
        h = layers.Dense(
            2 * d_model,
            activation="gelu",
            kernel_initializer=_glorot(seeds),
            name=f"{name}_ff1",
        )(h)
        h = layers.Dropout(dropout, seed=next(seeds), name=f"{name}_ff_dropout")(h)
        h = layers.Dense(
            d_model, kernel_initializer=_glorot(seeds), name=f"{name}_ff2"
        )(h)
        x = layers.Add(name=f"{name}_add2")([x, h])
    x = layers.LayerNormalization(name="tr_ln")(x)
    return layers.GlobalAveragePooling1D(name="tr_mean")(x)


def speech_features(
    x,
    architecture,
    *,
    width=16,
    dropout=0.3,
    batch_norm_momentum=0.99,
    seeds=None,
):
    """Map a spectrogram tensor to a feature vector with one architecture.

    Parameters
    ----------
    x : tensor of shape (batch, n_bands, n_frames, 1)
        MFCC or log-mel matrices: bands (coefficients) on the first axis,
        frames (time) on the second.
    architecture : {'cnn', 'alexnet', 'resnet', 'inception', 'vgg16', \
'vgg19', 'lstm', 'transformer'}
        The network; see :func:`build_speech_network`.
    width : int, default=16
        Base width: each architecture's layer widths are multiples of it.
    dropout : float, default=0.3
        Dropout rate where the architecture has dropout.
    batch_norm_momentum : float, default=0.99
        Momentum of the BatchNormalization layers.
    seeds : iterator of int or None, default=None
        Per-layer seeds, as ``_seeds(seed)`` yields them. None draws fresh
        seeds.

    Returns
    -------
    features : tensor of shape (batch, n_features)
        The network's feature vector, before any classification layer.
    """
    if seeds is None:
        seeds = _seeds(None)
    momentum = batch_norm_momentum
    if architecture == "cnn":
        return _conv_stack(
            x,
            filters=(2 * width, 4 * width, 8 * width),
            kernel_size=3,
            momentum=momentum,
            seeds=seeds,
            name="audio",
        )
    if architecture == "alexnet":
        return _alexnet(x, width=width, momentum=momentum, dropout=dropout, seeds=seeds)
    if architecture in ("vgg16", "vgg19"):
        convs = (2, 2, 3, 3, 3) if architecture == "vgg16" else (2, 2, 4, 4, 4)
        return _vgg(
            x,
            convs=convs,
            width=width,
            momentum=momentum,
            seeds=seeds,
            name=architecture,
        )
    if architecture == "resnet":
        return _resnet(x, width=width, momentum=momentum, seeds=seeds)
    if architecture == "inception":
        return _inception(x, width=width, momentum=momentum, seeds=seeds)
    if architecture == "lstm":
        return _lstm(x, width=width, dropout=dropout, seeds=seeds)
    if architecture == "transformer":
        return _transformer(x, width=width, dropout=dropout, seeds=seeds)
    raise ValueError(
        f"architecture must be one of {list(SPEECH_ARCHITECTURES)}; got "
        f"{architecture!r}."
    )


def build_speech_network(
    audio_shape,
    n_classes,
    *,
    architecture="cnn",
    width=16,
    dropout=0.3,
    batch_norm_momentum=0.99,
    augment=False,
    seed=None,
):
    """Build a speech emotion network for MFCC or log-mel matrices.

    Each architecture of the comparison is adapted to spectrograms of tens
    of bands and about a hundred frames, and trained from scratch:

    - ``'cnn'``: the audio stream of the dual-stream paper, three blocks of
      Conv2D 3x3 + ReLU, BatchNormalization and 2x2 max pooling with
      ``2, 4, 8`` times ``width`` filters (32, 64, 128 for ``width=16``),
      global average pooling.
    - ``'alexnet'``: five convolutions (5x5, 5x5, 3x3, 3x3, 3x3, stride 1
      instead of the original 11x11 stride 4) of ``2, 4, 6, 6, 4`` times
      ``width`` filters with BatchNormalization, 3x3 stride-2 pooling after
      the first, second and fifth, global average pooling, two dense layers
      of ``8 * width`` units with dropout.
    - ``'vgg16'`` / ``'vgg19'``: five blocks of 2, 2, 3, 3, 3 (VGG16) or 2,
      2, 4, 4, 4 (VGG19) 3x3 convolutions with BatchNormalization, ``1, 2,
      4, 8, 8`` times ``width`` filters, 2x2 pooling after each block
      ('same' padding, so 40 MFCCs survive five halvings), global average
      pooling instead of the 4096-unit dense layers.
    - ``'resnet'``: ResNet-18's four stages of two basic residual blocks,
      ``1, 2, 4, 8`` times ``width`` filters, stages 2-4 halving both axes;
      a 3x3 stride-1 stem and 2x2 pooling (instead of 7x7 stride 2 and 3x3
      stride-2 pooling).
    - ``'inception'``: a 3x3 stem and pooling, two Inception-v1 modules of
      ``4 * width`` channels, pooling, two of ``8 * width`` (1x1, 3x3, 5x5
      and pooling branches of a quarter of the channels each).
    - ``'lstm'``: two stacked LSTMs of ``4 * width`` units over the frames
      (each frame's coefficients are one step), mean over time.
    - ``'transformer'``: frames paired by 1x2 average pooling, projected to
      ``4 * width`` features plus a learnt position embedding, two pre-norm
      encoder blocks (4 heads, feed-forward ``8 * width``), mean over time.

    Every network ends in dropout and a softmax layer.

    Parameters
    ----------
    audio_shape : tuple of int (n_bands, n_frames)
        Shape of one MFCC or log-mel matrix.
    n_classes : int
        Number of classes: the width of the softmax output.
    architecture : {'cnn', 'alexnet', 'resnet', 'inception', 'vgg16', \
'vgg19', 'lstm', 'transformer'}, default='cnn'
        The network.
    width : int, default=16
        Base width of the layers (see above).
    dropout : float, default=0.3
        Dropout rate before the softmax and inside the networks that have
        dropout.
    batch_norm_momentum : float, default=0.99
        Momentum of the BatchNormalization layers.
    augment : bool, default=False
        Add training-only time and frequency masking (:class:`SpecAugment`)
        and Gaussian noise (standard deviation 0.1, for standardised input).
    seed : int, default=None
        Seed of the initialisers, dropout and augmentation layers.

    Returns
    -------
    model : keras.Model
        An uncompiled model with one input named ``"audio"`` of shape
        ``(*audio_shape, 1)`` and a softmax output over ``n_classes``.

    See Also
    --------
    SpeechClassifier : These networks as a scikit-learn classifier.
    build_dual_stream_cnn : The face and audio network.

    Examples
    --------
    >>> from skmer.neural_network import build_speech_network
    >>> model = build_speech_network((16, 24), 4, architecture="resnet", width=4)
    >>> tuple(model.inputs[0].shape), tuple(model.output.shape)
    ((None, 16, 24, 1), (None, 4))
    """
    seeds = _seeds(seed)
    audio = keras.Input(shape=(*tuple(audio_shape), 1), name="audio")
    x = audio
    if augment:
        x = SpecAugment(seed=next(seeds), name="audio_mask")(x)
        x = layers.GaussianNoise(0.1, seed=next(seeds), name="audio_noise")(x)
    x = speech_features(
        x,
        architecture,
        width=width,
        dropout=dropout,
        batch_norm_momentum=batch_norm_momentum,
        seeds=seeds,
    )
    x = layers.Dropout(dropout, seed=next(seeds), name="head_dropout")(x)
    output = layers.Dense(
        n_classes,
        activation="softmax",
        kernel_initializer=_glorot(seeds),
        name="emotion",
    )(x)
    return keras.Model([audio], output, name=f"speech_{architecture}")
