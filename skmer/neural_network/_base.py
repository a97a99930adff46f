"""Training machinery shared by skmer's SciKeras classifiers."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import random
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


class _OneHotTarget(TransformerMixin, BaseEstimator):
    """Encode class labels as one-hot rows for a softmax output, and back.

    The ``target_encoder`` of skmer's Keras classifiers. Unlike SciKeras'
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


class _Unavailable:
    """A SciKeras method that skmer's classifiers do not offer.

    Read on an instance it raises AttributeError, so that ``hasattr`` is
    False, with a message that says why and to call fit instead.

    Parameters
    ----------
    reason : str
        Why the method is not available, a sentence.
    """

    def __init__(self, reason):
        self.reason = reason
        self.__doc__ = f"Not available: {reason}"

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        raise AttributeError(
            f"{type(instance).__name__} has no {self.name}: {self.reason} "
            "Call fit instead."
        )


# The parameters of training that every subclass shares, with their checks.
_TRAINING_CONSTRAINTS = {
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


class _KerasClassifierBase(KerasClassifier):
    """SciKeras classifier with scikit-learn's conventions and skmer's training.

    Subclasses store their parameters in ``__init__`` (among them those of
    ``_TRAINING_CONSTRAINTS``), and implement ``_check_params(n_features)``,
    which raises when the parameters are invalid or do not fit rows of that
    width, the ``feature_encoder`` property, which maps X to the model's
    inputs, and ``_build_model()``, which returns the uncompiled Keras model
    (softmax over ``n_classes_``). This class compiles it (Adam, categorical
    cross-entropy) and trains it: a seeded fit, a stratified validation split
    for early stopping, ReduceLROnPlateau, class weights, ``history_``.
    """

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

    partial_fit = _Unavailable("it trains with early stopping on a validation split.")
    initialize = _Unavailable("fit builds the model from the parameters and the data.")

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
        model = self._build_model()
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
            Feature rows in the layout the parameters describe (see the
            class description).
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
        self._check_params(X.shape[1])

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
