"""Layers and blocks that the network builders share, in plain Keras.

Both the dual-stream builder (``_architecture``) and the speech networks
(``_speech_architectures``) are made of these; they import this module and
not each other's.
"""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import keras
from keras import layers, ops

__all__ = ["PositionEmbedding", "SpecAugment"]


@keras.saving.register_keras_serializable(package="skmer")
class SpecAugment(layers.Layer):
    """Mask random bands of time and frequency in a spectrogram-like input.

    The masking of SpecAugment (Park et al., 2019): in training, each sample
    gets one band of consecutive time steps and one band of consecutive
    coefficients set to zero (the mean of standardised features). At
    inference the layer passes its input through unchanged.

    Parameters
    ----------
    max_time_mask : int, default=16
        Largest number of consecutive time steps (last axis but one) masked.
    max_freq_mask : int, default=4
        Largest number of consecutive coefficients (second axis) masked.
    seed : int, default=None
        Seed of the layer's random draws.
    **kwargs : dict
        Passed on to :class:`keras.layers.Layer` (for example ``name``).

    Notes
    -----
    The input has shape ``(batch, n_mfcc, n_frames, channels)``.

    References
    ----------
    .. [1] D. S. Park et al., "SpecAugment: A simple data augmentation method
       for automatic speech recognition", Interspeech 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from skmer.neural_network import SpecAugment
    >>> mfcc = np.ones((2, 8, 32, 1), dtype="float32")
    >>> layer = SpecAugment(max_time_mask=8, max_freq_mask=2, seed=0)
    >>> masked = np.asarray(layer(mfcc, training=True))
    >>> masked.shape, bool((masked == 0).any())
    ((2, 8, 32, 1), True)
    >>> bool((np.asarray(layer(mfcc)) == mfcc).all())  # identity at inference
    True
    """

    def __init__(self, max_time_mask=16, max_freq_mask=4, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.max_time_mask = max_time_mask
        self.max_freq_mask = max_freq_mask
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def _band(self, batch, length, max_width):
        """Boolean mask of shape (batch, length), True inside a random band."""
        width = keras.random.randint(
            (batch, 1), 0, max_width + 1, seed=self.seed_generator
        )
        start = ops.floor(
            keras.random.uniform((batch, 1), seed=self.seed_generator)
            * ops.cast(length - width + 1, "float32")
        )
        position = ops.arange(length, dtype="float32")[None, :]
        start = ops.cast(start, "float32")
        width = ops.cast(width, "float32")
        return ops.logical_and(position >= start, position < start + width)

    def call(self, inputs, training=False):
        """Mask the input in training; return it unchanged otherwise.

        Parameters
        ----------
        inputs : tensor of shape (batch, n_mfcc, n_frames, channels)
            MFCC matrices.
        training : bool, default=False
            Whether the model is training; only then is the input masked.

        Returns
        -------
        outputs : tensor of shape (batch, n_mfcc, n_frames, channels)
            The input, with one band of time steps and one band of
            coefficients of each sample set to zero in training.
        """
        if not training:
            return inputs
        batch = ops.shape(inputs)[0]
        n_freq, n_time = inputs.shape[1], inputs.shape[2]
        freq = self._band(batch, n_freq, min(self.max_freq_mask, n_freq))
        time = self._band(batch, n_time, min(self.max_time_mask, n_time))
        masked = ops.logical_or(freq[:, :, None], time[:, None, :])
        keep = ops.cast(ops.logical_not(masked), inputs.dtype)
        return inputs * keep[..., None]

    def compute_output_shape(self, input_shape):
        """Return the output shape, which is the input shape.

        Parameters
        ----------
        input_shape : tuple of int or None
            Shape of the input.

        Returns
        -------
        output_shape : tuple of int or None
            The same shape: masking keeps the shape.
        """
        return input_shape

    def get_config(self):
        """Return the layer's constructor arguments, for saving.

        Returns
        -------
        config : dict
            Keras' layer configuration plus ``max_time_mask``,
            ``max_freq_mask`` and ``seed``.
        """
        config = super().get_config()
        config.update(
            {
                "max_time_mask": self.max_time_mask,
                "max_freq_mask": self.max_freq_mask,
                "seed": self.seed,
            }
        )
        return config


@keras.saving.register_keras_serializable(package="skmer")
class _StatisticsPooling(layers.Layer):
    """Mean and standard deviation of each coefficient over time.

    Maps MFCC matrices of shape ``(batch, n_mfcc, n_frames, 1)`` to vectors
    of shape ``(batch, 2 * n_mfcc)``: the means, then the standard deviations.
    """

    def call(self, inputs):
        """Pool the time axis (the third one) into its mean and deviation."""
        x = inputs[..., 0]
        mean = ops.mean(x, axis=2)
        std = ops.sqrt(ops.maximum(ops.var(x, axis=2), 0.0) + 1e-6)
        return ops.concatenate([mean, std], axis=-1)

    def compute_output_shape(self, input_shape):
        """Return ``(batch, 2 * n_mfcc)``."""
        return (input_shape[0], 2 * input_shape[1])


def _seeds(seed):
    """Yield distinct per-layer seeds from one seed (or None forever)."""
    counter = 0
    while True:
        yield None if seed is None else seed + counter
        counter += 1


def _conv_stack(x, *, filters, kernel_size, momentum, seeds, name):
    """Blocks of Conv2D + ReLU, BatchNormalization and 2x2 max pooling."""
    for index, n_filters in enumerate(filters):
        x = layers.Conv2D(
            n_filters,
            kernel_size,
            padding="same",
            activation="relu",
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            name=f"{name}_conv{index}",
        )(x)
        x = layers.BatchNormalization(momentum=momentum, name=f"{name}_bn{index}")(x)
        x = layers.MaxPooling2D(2, padding="same", name=f"{name}_pool{index}")(x)
    return layers.GlobalAveragePooling2D(name=f"{name}_gap")(x)


def _dense(x, units, *, dropout, momentum, seeds, name, batch_norm):
    """Dense + ReLU, optional BatchNormalization, then Dropout."""
    x = layers.Dense(
        units,
        activation="relu",
        kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
        name=f"{name}_dense",
    )(x)
    if batch_norm:
        x = layers.BatchNormalization(momentum=momentum, name=f"{name}_bn")(x)
    return layers.Dropout(dropout, seed=next(seeds), name=f"{name}_dropout")(x)


@keras.saving.register_keras_serializable(package="skmer")
class PositionEmbedding(layers.Layer):
    """Add a learnt embedding of the position to each time step.

    Parameters
    ----------
    seed : int, default=None
        Seed of the initial embedding.
    **kwargs : dict
        Passed on to :class:`keras.layers.Layer`.
    """

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed

    def build(self, input_shape):
        """Create the embedding, one row per time step.

        Parameters
        ----------
        input_shape : tuple of int or None
            ``(batch, n_steps, n_features)``.
        """
        self.embedding = self.add_weight(
            shape=tuple(input_shape[1:]),
            initializer=keras.initializers.RandomNormal(stddev=0.02, seed=self.seed),
            name="embedding",
        )

    def call(self, inputs):
        """Add the embedding.

        Parameters
        ----------
        inputs : tensor of shape (batch, n_steps, n_features)
            The sequence.

        Returns
        -------
        outputs : tensor of shape (batch, n_steps, n_features)
            The sequence plus the position embedding.
        """
        return inputs + ops.expand_dims(self.embedding, 0)

    def get_config(self):
        """Return the layer's constructor arguments, for saving.

        Returns
        -------
        config : dict
            Keras' layer configuration plus ``seed``.
        """
        return {**super().get_config(), "seed": self.seed}
