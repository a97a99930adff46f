"""The block layout of skmer's rows, shared by the Keras classifiers.

A row is ``[face block | audio block]``; :class:`_BlockSplitter` cuts rows
into the inputs of a Keras model, and :func:`_check_positive_ints` checks
the shapes given for the blocks (and the other tuples of ints the estimators
take).
"""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral

from sklearn.base import BaseEstimator, TransformerMixin, clone


class _BlockSplitter(TransformerMixin, BaseEstimator):
    """Split rows of ``[face block | audio block]`` into the Keras inputs.

    The ``feature_encoder`` of :class:`DualStreamClassifier` (SciKeras data
    transformers): each row is cut into its blocks and each block reshaped,
    giving a dict keyed by the names of the model's inputs. A face network
    that Keras cannot run (``cv2.dnn``'s ``'mobilefacenet'``) embeds the
    face frames here, outside the model, into the input
    ``"face_embedding"``.

    Parameters
    ----------
    face_columns : tuple of int (start, stop) or None
        Columns of the face block; ``None`` when the model has no face input.
    face_shape : tuple of int
        Shape of one sample's face frames: ``(height, width, channels)`` or
        ``(n_frames, height, width, channels)``.
    audio_columns : tuple of int (start, stop) or None
        Columns of the audio block; ``None`` when the model has no audio input.
    audio_shape : tuple of int
        Shape of one sample's audio input, ``(n_mfcc, n_frames, 1)``.
    face_embedder : estimator or None, default=None
        Frame encoder whose ``predict`` gives the ``"face_embedding"`` input
        (one embedding per frame); fitted into ``face_embedder_``.
    face_frames : bool, default=True
        Whether the face frames go to the model, as its ``"face"`` input.
    """

    def __init__(
        self,
        face_columns,
        face_shape,
        audio_columns,
        audio_shape,
        face_embedder=None,
        face_frames=True,
    ):
        self.face_columns = face_columns
        self.face_shape = face_shape
        self.audio_columns = audio_columns
        self.audio_shape = audio_shape
        self.face_embedder = face_embedder
        self.face_frames = face_frames

    def fit(self, X, y=None):
        """Fit the face embedder, if any: the layout is fixed by the parameters.

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
        if self.face_embedder is not None:
            self.face_embedder_ = clone(self.face_embedder).fit()
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
            ``"face"``, ``"face_embedding"`` and ``"audio"`` arrays, for the
            inputs the model has.
        """
        inputs = {}
        if self.face_columns is not None:
            start, stop = self.face_columns
            face = X[:, start:stop].reshape(-1, *self.face_shape)
            if self.face_frames:
                inputs["face"] = face
            if self.face_embedder is not None:
                frame_shape = tuple(self.face_shape[-3:])
                embeddings = self.face_embedder_.predict(face.reshape(-1, *frame_shape))
                inputs["face_embedding"] = embeddings.reshape(
                    len(X), *self.face_shape[:-3], -1
                )
        if self.audio_columns is not None:
            start, stop = self.audio_columns
            inputs["audio"] = X[:, start:stop].reshape(-1, *self.audio_shape)
        return inputs


def _check_positive_ints(name, value, *, length=None, axes=None, allow_empty=True):
    """Return ``value`` as a tuple of positive ints, or raise a ValueError.

    The one check of the tuple parameters of the neural_network estimators:
    shapes (``length`` ints, named by ``axes`` in the message, e.g.
    ``"(height, width, channels)"``) and layer widths (any number of ints,
    at least one unless ``allow_empty``). The parameter constraints check
    that these are tuples or lists; what they hold is checked here, because
    scikit-learn's ``make_constraint`` takes no constraint classes but its
    own (the way ``MLPClassifier`` checks ``hidden_layer_sizes`` in fit).
    """
    ints = tuple(value) if isinstance(value, (tuple, list)) else None
    if (
        ints is None
        or (length is not None and len(ints) != length)
        or (not ints and not allow_empty)
        or not all(isinstance(d, Integral) and d >= 1 for d in ints)
    ):
        if length is not None:
            kind = f"a tuple of {length} positive ints"
        else:
            kind = "a tuple of positive ints" + ("" if allow_empty else ", not empty")
        if axes is not None:
            kind = f"{kind} {axes}"
        raise ValueError(f"{name} must be {kind}; got {value!r}.")
    return tuple(int(d) for d in ints)
