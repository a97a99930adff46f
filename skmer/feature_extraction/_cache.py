"""A per-file cache of extracted features on disk."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import hashlib
import json
import math
import os
import stat
import struct
import tempfile
import warnings

import numpy as np

from skmer.exceptions import CacheWarning
from skmer.utils._files import atomic_write, file_digest
from skmer.utils._warnings import caller_stacklevel

# Bump when the layout of cache entries changes, so old entries are ignored.
# Format 1 stored each entry as an .npz (a zip archive of .npy files); reading
# one cost more than 100 us of zip and header parsing per entry. Format 2 was
# a flat file: _MAGIC, the byte length of a JSON header, the header (name,
# dtype and shape of each array), then the arrays' bytes in that order. It
# trusted any entry of the right size, so a flipped bit, zeroed bytes or
# another clip's entry copied over gave wrong features. Format 3 puts a
# checksum of everything after it right after _MAGIC, and the header names
# the key the entry was written for.
_FORMAT = 3
_MAGIC = b"SKMERC3\n"
_SUFFIX = ".features"
_LENGTH = struct.Struct("<I")
_CHECKSUM_SIZE = 32

# What a cache entry can be keyed on (the extractors' ``cache_key``).
CACHE_KEYS = ("stat", "content")


def _checksum(data):
    return hashlib.blake2b(data, digest_size=_CHECKSUM_SIZE).digest()


class FeatureCache:
    """Store one entry of named arrays per (media file, extractor settings).

    An entry's key hashes the extractor's class, settings and code version
    with the media file's identity, so that changing any parameter that
    affects the output misses the cache instead of returning stale features.
    The file's identity is, with ``key='stat'``, its absolute path, size and
    modification time (editing or replacing a clip in the usual ways misses
    the cache, but a replacement of the same size and modification time, as
    ``cp -p`` makes, does not); with ``key='content'``, a hash of its bytes.

    An entry is one flat file read with a single ``read`` call: a checksum, a
    short JSON header naming the key it was written for and each array's
    dtype and shape, then the arrays' bytes. An entry whose checksum or key
    does not match (a flipped bit, zeroed bytes, an edited header, another
    clip's entry copied over it) is a miss: it is recomputed and overwritten,
    never trusted. Entries are written with
    :func:`~skmer.utils._files.atomic_write` (a temporary file, fsynced and
    renamed into place), so readers (other processes, other joblib workers)
    never see half an entry, and every clip is saved as soon as it is done: a
    run that fails at clip ``k`` keeps clips ``1..k-1``.

    Parameters
    ----------
    directory : str or path-like
        Where entries go; created on first write. Several extractors and
        processes can share one directory.
    namespace : dict
        The extractor's identity: class name, settings and code version.
        JSON-serialisable.
    key : {'stat', 'content'}, default='stat'
        What identifies a media file: its path, size and modification time,
        or a hash of its bytes.

    Examples
    --------
    >>> import numpy as np
    >>> from skmer.feature_extraction._cache import FeatureCache
    >>> clip = getfixture("tiny_wav")
    >>> cache = FeatureCache(getfixture("tmp_path"), {"extractor": "E"})
    >>> cache.load(clip) is None
    True
    >>> cache.save(clip, {"X": np.arange(3, dtype=np.float32)})
    >>> cache.load(clip)["X"]
    array([0., 1., 2.], dtype=float32)
    """

    def __init__(self, directory, namespace, *, key="stat"):
        if key not in CACHE_KEYS:
            raise ValueError(f"key must be one of {CACHE_KEYS}; got {key!r}.")
        self.directory = os.path.expanduser(os.fspath(directory))
        self.key = key
        blob = json.dumps({"format": _FORMAT, **namespace}, sort_keys=True)
        self._namespace = hashlib.sha256(blob.encode()).hexdigest()[:16]
        name = namespace.get("extractor", "features")
        self._folder = os.path.join(self.directory, f"{name}-{self._namespace}")
        self._writable = True

    def entry(self, path):
        """Return the file that holds the entry of ``path``.

        Parameters
        ----------
        path : str or path-like
            The media file.

        Returns
        -------
        entry : str or None
            The entry's path (which may not exist yet), or None when
            ``path`` cannot be read, so that it cannot be cached.
        """
        # Bytes, not str: on POSIX a path is any bytes, and os.fsencode gives
        # back those that a name with undecodable bytes stands for.
        try:
            absolute = os.fsencode(os.path.abspath(os.fspath(path)))
            status = os.stat(absolute)
            if self.key == "stat":
                identity = b"\0".join(
                    [absolute, b"%d" % status.st_size, b"%d" % status.st_mtime_ns]
                )
            elif stat.S_ISREG(status.st_mode):
                identity = file_digest(absolute)
            else:
                # Reading a FIFO or a device to hash it could block forever;
                # the extractor reports such a file.
                return None
        except (OSError, UnicodeError):
            return None
        blob = b"\0".join([self._namespace.encode(), self.key.encode(), identity])
        return os.path.join(self._folder, hashlib.sha256(blob).hexdigest() + _SUFFIX)

    def load(self, path, *, entry=None):
        """Return the cached arrays for ``path``, or None on a miss.

        Parameters
        ----------
        path : str or path-like
            The media file.
        entry : str, default=None
            Its entry, as :meth:`entry` returns it; None computes it.

        Returns
        -------
        arrays : dict of str to ndarray or None
            The stored arrays, or None if there is no valid entry.
        """
        if entry is None:
            entry = self.entry(path)
            if entry is None:
                return None
        try:
            with open(entry, "rb") as handle:
                data = bytearray(os.fstat(handle.fileno()).st_size)
                handle.readinto(data)
            return _unpack(data, _entry_key(entry))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError, struct.error):
            # A damaged entry (a flipped bit, a full disk, a killed writer on
            # a filesystem without atomic rename, another clip's entry copied
            # over it) is recomputed and overwritten, never trusted.
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
        reason = (exc.strerror or str(exc)).rstrip(".")
        warnings.warn(
            f"Cannot write to the feature cache {self.directory!r} "
            f"({reason}); features are computed without caching. "
            "Pass a writable cache_dir, or cache_dir=None to silence this.",
            CacheWarning,
            stacklevel=caller_stacklevel(),
        )

    def save(self, path, arrays, *, entry=None):
        """Store ``arrays`` for ``path``; warn once and go on if it cannot.

        Parameters
        ----------
        path : str or path-like
            The media file.
        arrays : dict of str to ndarray
            What to store.
        entry : str, default=None
            Its entry, as :meth:`entry` returns it; None computes it.
        """
        if not self._writable:
            return
        if entry is None:
            entry = self.entry(path)
            if entry is None:
                return
        data = _pack(arrays, _entry_key(entry))
        try:
            os.makedirs(self._folder, exist_ok=True)
            with atomic_write(entry) as handle:
                handle.write(data)
        except OSError as exc:
            self._disable(exc)


def _entry_key(entry):
    return os.path.basename(entry)[: -len(_SUFFIX)]


def _pack(arrays, key):
    """Lay out one entry: magic, checksum, header length, header, array bytes."""
    arrays = {name: np.asarray(value) for name, value in arrays.items()}
    for name, value in arrays.items():
        if value.dtype.hasobject:
            raise TypeError(f"Cannot cache array {name!r} of dtype object.")
    header = json.dumps(
        {
            "key": key,
            "arrays": [
                [name, value.dtype.str, value.shape] for name, value in arrays.items()
            ],
        }
    ).encode()
    body = b"".join(
        [_LENGTH.pack(len(header)), header]
        + [value.tobytes() for value in arrays.values()]
    )
    return b"".join([_MAGIC, _checksum(body), body])


def _unpack(data, key):
    """Read the arrays out of an entry's bytes; ValueError unless intact.

    The entry must be whole, match its checksum and have been written for
    ``key``. The arrays are views of ``data`` (a bytearray, so they are
    writable).
    """
    if data[: len(_MAGIC)] != _MAGIC:
        raise ValueError("not a skmer cache entry")
    view = memoryview(data)
    start = len(_MAGIC) + _CHECKSUM_SIZE
    if _checksum(view[start:]) != data[len(_MAGIC) : start]:
        raise ValueError("cache entry does not match its checksum")
    (length,) = _LENGTH.unpack_from(data, start)
    offset = start + _LENGTH.size + length
    header = json.loads(bytes(data[start + _LENGTH.size : offset]))
    if header["key"] != key:
        raise ValueError("cache entry written for another file or settings")
    arrays = {}
    for name, dtype, shape in header["arrays"]:
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
