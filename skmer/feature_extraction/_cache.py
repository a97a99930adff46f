"""A per-file cache of extracted features on disk."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import hashlib
import json
import os
import tempfile
import warnings
import zipfile

import numpy as np

from skmer.exceptions import CacheWarning
from skmer.utils._warnings import caller_stacklevel

# Bump when the layout of cache entries changes, so old entries are ignored.
_FORMAT = 1


class FeatureCache:
    """Store one entry of named arrays per (media file, extractor settings).

    An entry's key hashes the file's absolute path, size and modification time
    with the extractor's class, settings and code version, so editing or
    replacing a clip, or changing any parameter that affects the output,
    misses the cache instead of returning stale features. Entries are written
    to a temporary file and renamed into place, so readers (other processes,
    other joblib workers) never see half an entry, and every clip is saved as
    soon as it is done: a run that fails at clip ``k`` keeps clips ``1..k-1``.

    Parameters
    ----------
    directory : str or path-like
        Where entries go; created on first write. Several extractors and
        processes can share one directory.
    namespace : dict
        The extractor's identity: class name, settings and code version.
        JSON-serialisable.
    """

    def __init__(self, directory, namespace):
        self.directory = os.path.expanduser(os.fspath(directory))
        blob = json.dumps({"format": _FORMAT, **namespace}, sort_keys=True)
        digest = hashlib.sha256(blob.encode()).hexdigest()[:16]
        self._folder = os.path.join(
            self.directory, f"{namespace.get('extractor', 'features')}-{digest}"
        )
        self._writable = True

    def _entry(self, path):
        path = os.path.abspath(os.fspath(path))
        stat = os.stat(path)
        blob = f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}"
        return os.path.join(
            self._folder, hashlib.sha256(blob.encode()).hexdigest() + ".npz"
        )

    def load(self, path):
        """Return the cached arrays for ``path``, or None on a miss.

        Parameters
        ----------
        path : str
            The media file.

        Returns
        -------
        arrays : dict of str to ndarray or None
            The stored arrays, or None if there is no valid entry.
        """
        try:
            entry = self._entry(path)
        except OSError:
            return None
        try:
            with np.load(entry, allow_pickle=False) as stored:
                return {name: stored[name] for name in stored.files}
        except FileNotFoundError:
            return None
        except (OSError, ValueError, EOFError, zipfile.BadZipFile):
            # A damaged entry (disk full, killed writer on a filesystem without
            # atomic rename) is recomputed and overwritten, never trusted.
            return None

    def check_writable(self):
        """Warn once, and stop writing, if the cache directory is not writable.

        Called in the main process before work is sent to joblib workers,
        whose warnings would not reach the user.

        Returns
        -------
        writable : bool
            Whether entries can be written.
        """
        try:
            os.makedirs(self._folder, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self._folder, suffix=".tmp")
            os.close(fd)
            os.unlink(tmp)
        except OSError as exc:
            self._disable(exc)
        return self._writable

    def _disable(self, exc):
        self._writable = False
        warnings.warn(
            f"Cannot write to the feature cache {self.directory!r} "
            f"({exc.strerror or exc}); features are computed without caching. "
            "Pass a writable cache_dir, or cache_dir=None to silence this.",
            CacheWarning,
            stacklevel=caller_stacklevel(),
        )

    def save(self, path, arrays):
        """Store ``arrays`` for ``path``; warn once and go on if it cannot.

        Parameters
        ----------
        path : str
            The media file.
        arrays : dict of str to ndarray
            What to store.
        """
        if not self._writable:
            return
        try:
            entry = self._entry(path)
            os.makedirs(self._folder, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self._folder, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as handle:
                    np.savez(handle, **arrays)
                os.replace(tmp, entry)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError as exc:
            self._disable(exc)
