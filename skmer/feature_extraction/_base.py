"""Machinery shared by the extractors: path input, caching and parallel runs."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import os
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils.validation import check_is_fitted, validate_data

from skmer.feature_extraction._cache import FeatureCache


def _is_path(value):
    return isinstance(value, (str, os.PathLike))


def _as_path_column(X):
    """Turn a 1-D array-like of paths into something 2-D with one column.

    A pandas Series becomes a one-column DataFrame so that its name is kept
    as ``feature_names_in_``; lists and 1-D arrays become a column vector.
    """
    if hasattr(X, "to_frame") and getattr(X, "ndim", None) == 1:
        return X.to_frame()
    if hasattr(X, "columns"):
        return X
    if _is_path(X):
        raise TypeError(
            "X must be a 1-D array-like of file paths, not a single path; "
            f"got {os.fspath(X)!r}. Wrap it in a list: [path]."
        )
    X = np.asarray(X, dtype=object)
    if X.ndim == 1:
        return X.reshape(-1, 1)
    return X


class _MediaExtractor(TransformerMixin, BaseEstimator):
    """Base class of the extractors that read media files.

    Subclasses implement ``_extract_file(path) -> dict`` whose ``"X"`` entry is
    the 1-D float32 feature row of one file (other entries are side
    information, cached with it), ``_n_features_out()`` and
    ``get_feature_names_out``; they list the parameters that do not change the
    output in ``_runtime_params``.
    """

    _parameter_constraints: dict = {
        "n_jobs": [Integral, None],
        "cache_dir": [str, os.PathLike, None],
        "verbose": ["verbose"],
    }

    # Parameters that affect how, not what, is computed: left out of the
    # cache key so that changing them still hits the cache.
    _runtime_params = ("n_jobs", "cache_dir", "verbose")

    # Bump in a subclass when its extraction code changes its output.
    _code_version = 1

    def _validate_paths(self, X, *, reset):
        """Check X is a column of paths; return them as a 1-D object array."""
        X = _as_path_column(X)
        n_columns = X.shape[1] if len(X.shape) == 2 else None
        if n_columns != 1:
            raise ValueError(
                f"X must be a 1-D array-like of file paths (or one column of "
                f"them); got an array of shape {tuple(X.shape)}."
            )
        X = validate_data(
            self,
            X,
            reset=reset,
            dtype=None,
            ensure_all_finite=False,
            ensure_min_samples=1,
        )
        paths = X[:, 0]
        for index, value in enumerate(paths):
            if not _is_path(value):
                raise TypeError(
                    f"X must contain file paths (str or os.PathLike); element "
                    f"{index} is {value!r} of type {type(value).__name__}."
                )
        return np.array([os.fspath(p) for p in paths], dtype=object)

    def _cache(self):
        if self.cache_dir is None:
            return None
        settings = {
            name: value
            for name, value in self.get_params(deep=False).items()
            if name not in self._runtime_params
        }
        namespace = {
            "extractor": type(self).__name__,
            "version": self._code_version,
            "settings": {k: repr(v) for k, v in sorted(settings.items())},
        }
        return FeatureCache(self.cache_dir, namespace)

    def _extract_files(self, paths):
        """Extract every file, through the cache, in parallel when asked.

        Returns a list with one dict of arrays per path, in input order.
        """
        from joblib import Parallel, delayed
        from tqdm.auto import tqdm

        cache = self._cache()
        if cache is not None:
            cache.check_writable()
        results = [None] * len(paths)
        todo = []
        for index, path in enumerate(paths):
            cached = cache.load(path) if cache is not None else None
            if cached is None:
                todo.append(index)
            else:
                results[index] = cached
        if todo:
            # Each finished file is saved by the worker that made it, so an
            # error on one file leaves all earlier results in the cache.
            jobs = Parallel(n_jobs=self.n_jobs, return_as="generator")(
                delayed(_extract_and_store)(self, paths[i], cache) for i in todo
            )
            progress = tqdm(
                jobs,
                total=len(todo),
                desc=type(self).__name__,
                unit="file",
                disable=not self.verbose,
                initial=0,
            )
            # strict: ask the bar for the item after the last, so that it
            # counts the last file and closes at 100 %.
            for index, arrays in zip(todo, progress, strict=True):
                results[index] = arrays
        return results

    def _transform_paths(self, paths):
        results = self._extract_files(paths)
        X = np.empty((len(paths), self._n_features_out()), dtype=np.float32)
        for row, arrays in enumerate(results):
            X[row] = arrays["X"]
        return X, results

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the input; the extractor learns nothing from data.

        Parameters
        ----------
        X : array-like of shape (n_samples,)
            File paths.
        y : None
            Not used, present here for API consistency by convention.

        Returns
        -------
        self : object
            Fitted transformer.
        """
        self._validate_paths(X, reset=True)
        return self

    def _check_transform_input(self, X):
        check_is_fitted(self)
        self._validate_params()
        return self._validate_paths(X, reset=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.transformer_tags.preserves_dtype = []
        return tags


def _extract_and_store(extractor, path, cache):
    """Extract one file and save it in the cache (runs in a joblib worker)."""
    try:
        arrays = extractor._extract_file(path)
    except Exception as exc:
        if hasattr(exc, "add_note") and path not in str(exc):
            exc.add_note(f"While extracting features from {path!r}.")
        raise
    if cache is not None:
        cache.save(path, arrays)
    return arrays
