"""A per-file cache of extracted features on disk."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import hashlib
import json
import math
import os
import struct
import tempfile
import warnings

import numpy as np

from skmer.exceptions import CacheWarning
from skmer.utils._warnings import caller_stacklevel

# Bump when the layout of cache entries changes, so old entries are ignored.
# Format 1 stored each entry as an .npz (a zip archive of .npy files); reading
# one cost more than 100 us of zip and header parsing per entry. Format 2 is a
# flat file: _MAGIC, the byte length of a JSON header, the header (name,
# dtype and shape of each array), then the arrays' bytes in that order.
_FORMAT = 2
_MAGIC = b"SKMERC2\n"
_SUFFIX = ".features"
_LENGTH = struct.Struct("<I")


class FeatureCache:
    """Store one entry of named arrays per (media file, extractor settings).

    An entry's key hashes the file's absolute path, size and modification time
    with the extractor's class, settings and code version, so editing or
    replacing a clip, or changing any parameter that affects the output,
    misses the cache instead of returning stale features. Entries are written
    to a temporary file and renamed into place, so readers (other processes,
    other joblib workers) never see half an entry, and every clip is saved as
    soon as it is done: a run that fails at clip ``k`` keeps clips ``1..k-1``.

    An entry is one flat file (a short JSON header naming each array's dtype
    and shape, then the arrays' bytes), read with a single ``read`` call: a
    cached re-transform costs tens of microseconds per file.

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
            self._folder, hashlib.sha256(blob.encode()).hexdigest() + _SUFFIX
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
            with open(entry, "rb") as handle:
                data = bytearray(os.fstat(handle.fileno()).st_size)
                handle.readinto(data)
            return _unpack(data)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, struct.error):
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
                    handle.write(_pack(arrays))
                os.replace(tmp, entry)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError as exc:
            self._disable(exc)


def _pack(arrays):
    """Lay out one entry: magic, header length, JSON header, array bytes."""
    arrays = {name: np.asarray(value) for name, value in arrays.items()}
    for name, value in arrays.items():
        if value.dtype.hasobject:
            raise TypeError(f"Cannot cache array {name!r} of dtype object.")
    header = json.dumps(
        [[name, value.dtype.str, value.shape] for name, value in arrays.items()]
    ).encode()
    return b"".join(
        [_MAGIC, _LENGTH.pack(len(header)), header]
        + [value.tobytes() for value in arrays.values()]
    )


def _unpack(data):
    """Read the arrays out of an entry's bytes; ValueError if not a whole entry.

    The arrays are views of ``data`` (a bytearray, so they are writable).
    """
    if data[: len(_MAGIC)] != _MAGIC:
        raise ValueError("not a skmer cache entry")
    start = len(_MAGIC) + _LENGTH.size
    (length,) = _LENGTH.unpack_from(data, len(_MAGIC))
    offset = start + length
    arrays = {}
    for name, dtype, shape in json.loads(bytes(data[start:offset])):
        dtype = np.dtype(dtype)
        if dtype.hasobject:
            raise ValueError("object arrays are never read from the cache")
        shape = tuple(shape)
        count = math.prod(shape)
        arrays[name] = np.frombuffer(data, dtype, count, offset).reshape(shape)
        offset += count * dtype.itemsize
    if offset != len(data):
        raise ValueError("cache entry of the wrong size")
    return arrays
