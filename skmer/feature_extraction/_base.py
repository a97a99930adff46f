"""Machinery shared by the extractors: path input, caching and parallel runs."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import multiprocessing
import os
import threading
import time
import warnings
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import (
    _check_feature_names_in,
    check_is_fitted,
    validate_data,
)

from skmer.exceptions import MediaError, SkippedFilesWarning
from skmer.feature_extraction._cache import CACHE_KEYS, FeatureCache
from skmer.utils._warnings import caller_stacklevel


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

    Subclasses implement ``fit``, ``_extract_file(path) -> dict`` whose ``"X"``
    entry is the 1-D float32 feature row of one file (other entries are side
    information, cached with it), ``_n_features_out()`` and
    ``_feature_names()``, the list of output names; they list the parameters
    that do not change the output in ``_runtime_params``.
    """

    _parameter_constraints: dict = {
        "n_jobs": [Integral, None],
        "cache_dir": [str, os.PathLike, None],
        "cache_key": [StrOptions(set(CACHE_KEYS))],
        "verbose": ["verbose"],
        "on_error": [StrOptions({"raise", "skip"})],
    }

    # Parameters that affect how, not what, is computed: left out of the
    # extractor's namespace in the cache, so that changing them still finds
    # the same entries (cache_key changes which file an entry is found by,
    # not the features stored in it).
    _runtime_params = ("n_jobs", "cache_dir", "cache_key", "verbose", "on_error")

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
        return FeatureCache(self.cache_dir, namespace, key=self.cache_key)

    def _extract_files(self, paths, consume):
        """Extract every file, through the cache, in parallel when asked.

        Calls ``consume(index, arrays)`` once per path as its result arrives
        (cached ones first), so that no more than a few files' arrays are held
        at once; ``arrays`` is None for a file skipped under
        ``on_error='skip'``. Skipped files are then reported in one
        :class:`~skmer.exceptions.SkippedFilesWarning`.
        """
        from joblib import Parallel, delayed
        from tqdm.auto import tqdm

        cache = self._cache()
        if cache is not None:
            cache.check_writable()
        entries = [None] * len(paths)
        todo = []
        for index, path in enumerate(paths):
            if cache is not None:
                entries[index] = entry = cache.entry(path)
                cached = None if entry is None else cache.load(path, entry=entry)
                if cached is not None:
                    try:
                        consume(index, cached)
                        continue
                    except (ValueError, TypeError, KeyError, IndexError):
                        # Arrays of other names or shapes than this extractor
                        # makes, in an intact entry: recomputed and
                        # overwritten, never trusted.
                        pass
            todo.append(index)
        skipped = []
        if todo:
            skip = self.on_error == "skip"
            # Each finished file is saved by the worker that made it, so an
            # error on one file, or a killed run, leaves all earlier results
            # in the cache.
            jobs = Parallel(n_jobs=self.n_jobs, return_as="generator")(
                delayed(_ExitWithParent(_extract_and_store))(
                    self, paths[i], cache, entries[i], skip
                )
                for i in todo
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
            for index, (arrays, error, caught) in zip(todo, progress, strict=True):
                # Warnings raised in a worker process would never reach the
                # user: each file's come back with its result.
                for category, message in caught:
                    warnings.warn(message, category, stacklevel=caller_stacklevel())
                if error is not None:
                    skipped.append((paths[index], error))
                try:
                    consume(index, arrays)
                except Exception as exc:
                    _name_the_file(exc, paths[index], entries[index])
                    raise
        if skipped:
            listing = "\n".join(f"  {path!r}: {error}" for path, error in skipped)
            warnings.warn(
                SkippedFilesWarning(
                    f"Skipped {len(skipped)} of {len(paths)} files that could not "
                    f"be read; their rows are NaN (drop them with, e.g., "
                    f"~np.isnan(X).any(axis=1)):\n{listing}",
                    [(path, str(error)) for path, error in skipped],
                ),
                stacklevel=caller_stacklevel(),
            )

    def _transform_paths(self, paths, keep=()):
        """Feature matrix of ``paths``, plus the side arrays named in ``keep``.

        Rows of skipped files are NaN and their side entries None.
        """
        X = np.empty((len(paths), self._n_features_out()), dtype=np.float32)
        side = {name: [None] * len(paths) for name in keep}

        def consume(index, arrays):
            if arrays is None:
                X[index] = np.nan
                return
            X[index] = arrays["X"]
            for name in keep:
                side[name][index] = arrays[name]

        self._extract_files(paths, consume)
        return X, side

    def get_feature_names_out(self, input_features=None):
        """Get output feature names for transformation.

        The names say where each output column comes from, e.g.
        ``mfcc03_t012`` (coefficient 3 of frame 12), ``logmel03_t012`` (mel
        band 3 of frame 12) or ``face_f0_y12_x30_g`` (frame 0, pixel row 12,
        column 30, green).

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked against ``feature_names_in_``; the names of the
            output do not depend on it.

        Returns
        -------
        feature_names_out : ndarray of str objects
            One name per output column.
        """
        # The names do not depend on the input, and the extractor works
        # unfitted (requires_fit is False): do not require n_features_in_.
        _check_feature_names_in(self, input_features, generate_names=False)
        return np.asarray(self._feature_names(), dtype=object)

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


def _extract_and_store(extractor, path, cache, entry, skip):
    """Extract one file and save it in the cache (runs in a joblib worker).

    ``entry`` is the file's cache entry, None if it has none.

    Returns ``(arrays, None, warnings)``, or ``(None, message, warnings)``
    for a file that cannot be read when ``skip`` is true; ``warnings`` lists
    the ``(category, message)`` of the warnings raised on the way, for the
    parent process to show.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            arrays = extractor._extract_file(path)
        except _SKIPPABLE as exc:
            if skip:
                return None, f"{type(exc).__name__}: {exc}", _messages(caught)
            _name_the_file(exc, path)
            raise
        except Exception as exc:
            _name_the_file(exc, path)
            raise
    if entry is not None:
        cache.save(path, arrays, entry=entry)
    return arrays, None, _messages(caught)


def _messages(caught):
    return [(warning.category, str(warning.message)) for warning in caught]


# What a bad file raises: unreadable media (MediaError, a ValueError), no such
# file, a directory, no permission. Anything else is a bug and always raises.
_SKIPPABLE = (MediaError, OSError)


def _name_the_file(exc, path, entry=None):
    if not hasattr(exc, "add_note") or path in str(exc):
        return
    if entry is None:
        exc.add_note(f"While extracting features from {path!r}.")
    else:
        exc.add_note(
            f"While extracting features from {path!r} (cache entry {entry!r})."
        )


class _ExitWithParent:
    """Wrap a function so that the worker processes running it die with us.

    loky's workers outlive a parent killed with SIGKILL (they were seen alive
    14 minutes later, 220 MB each): the first call in each worker starts a
    thread there that ends the worker once its parent is gone. Process-level
    ``prctl(PR_SET_PDEATHSIG)`` would fire on the exit of the *thread* that
    started the worker, which for loky can be its manager thread.
    """

    def __init__(self, function):
        self.function = function
        self.parent = os.getpid()

    def __call__(self, *args, **kwargs):
        _watch_parent(self.parent)
        return self.function(*args, **kwargs)


# How often (seconds) a worker checks that its parent is alive.
_WATCH_INTERVAL = 0.5

# The parent a worker's watching thread watches, once it runs.
_watched_parent = None


def _watch_parent(parent):
    """In a worker process started by ``parent``, exit when it dies.

    Runs of joblib's threading backend (same process) and workers that
    ``parent`` did not start (a dask cluster's) are left alone.
    """
    global _watched_parent
    started_by = multiprocessing.parent_process()
    if _watched_parent == parent or started_by is None or started_by.pid != parent:
        return
    _watched_parent = parent
    if os.getppid() != parent:
        # The parent died while this worker was starting: nobody waits for
        # the result.
        os._exit(1)
    threading.Thread(
        target=_exit_when_orphaned,
        args=(parent,),
        name="skmer-watch-parent",
        daemon=True,
    ).start()


def _exit_when_orphaned(parent):
    # A dead parent's children are adopted by init or a subreaper.
    while os.getppid() == parent:
        time.sleep(_WATCH_INTERVAL)
    os._exit(1)
