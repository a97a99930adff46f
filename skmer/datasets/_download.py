"""Download files over HTTP(S): resumable, size-capped, verified, atomic.

The one downloader of skmer, used for datasets (:func:`fetch_crema_d`) and
for pretrained model files (:func:`fetch_model_file`):

- a file is written to ``<path>.part`` and resumed from there with an HTTP
  ``Range`` request after an interruption;
- reading stops one byte past the expected size, so a server that answers
  with something else (an error page, a huge body) costs nothing;
- the result is checked against its SHA-256 and size, fsynced, and only then
  renamed to its final name, which therefore means "complete and verified";
- transient errors (timeouts, 5xx, 429) are retried with exponential
  back-off.

Messages name the file as ``what`` (e.g. "CREMA-D file") plus its name,
and say what to do next (``again``, e.g. "call fetch_crema_d again").
"""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import hashlib
import http.client
import os
import socket
import time
import urllib.error
import urllib.request

from skmer import __version__

# Seconds to wait before the first retry; doubled at each further retry.
_RETRY_DELAY = 1.0
_TIMEOUT = 60
_USER_AGENT = f"skmer/{__version__}"
_CHUNK_SIZE = 1 << 20
# HTTP statuses worth retrying: the server is busy or briefly broken.
_TRANSIENT_STATUSES = {408, 425, 429, 500, 502, 503, 504}


def is_complete(path, size):
    """Whether `path` is a file of the expected size.

    Files only get their final name once verified, so the size is enough to
    tell a finished download from a file that must be fetched again.
    """
    return os.path.isfile(path) and os.path.getsize(path) == size


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(_CHUNK_SIZE), b""):
            digest.update(block)
    return digest.hexdigest()


def check_download(path, *, sha256, size):
    """Return None if `path` has the expected content, else what differs."""
    got_size = os.path.getsize(path)
    got_sha256 = _sha256(path)
    if got_size == size and got_sha256 == sha256:
        return None
    return (
        f"expected sha256 {sha256} and {size} bytes, "
        f"got sha256 {got_sha256} and {got_size} bytes"
    )


def download_verified(url, path, *, name, sha256, size, n_retries, what, again):
    """Download `url` to `path` through ``<path>.part`` and verify it."""
    part = path + ".part"
    resumed = os.path.isfile(part) and os.path.getsize(part) > 0
    retrying = {"name": name, "n_retries": n_retries, "what": what, "again": again}
    _download_with_retries(url, part, size=size, **retrying)
    problem = check_download(part, sha256=sha256, size=size)
    if problem is not None and resumed:
        # The bytes kept from an earlier attempt may be the bad ones, for
        # instance if the file changed on the server: start over once.
        os.remove(part)
        _download_with_retries(url, part, size=size, **retrying)
        problem = check_download(part, sha256=sha256, size=size)
    if problem is not None:
        os.remove(part)
        raise OSError(
            f"Downloaded {what} {name!r} from {url!r} is corrupted: "
            f"{problem}. The bad download was removed; {again} to retry."
        )
    # On disk before it gets its final name, which says "complete and
    # verified": a crash right after the rename must not leave a hole.
    with open(part, "rb") as file:
        os.fsync(file.fileno())
    os.replace(part, path)


def _is_transient(exc):
    """Whether a failed request is worth retrying."""
    if isinstance(exc, urllib.error.HTTPError):
        return exc.code in _TRANSIENT_STATUSES
    if isinstance(exc, urllib.error.URLError) and isinstance(
        exc.reason, socket.gaierror
    ):
        # The host name does not resolve (no network, or no access to that
        # host): waiting will not change it, so fail at once.
        return False
    return isinstance(
        exc,
        (
            urllib.error.URLError,
            http.client.HTTPException,
            ConnectionError,
            TimeoutError,
        ),
    )


def _download_with_retries(url, part, *, name, size, n_retries, what, again):
    """Run `_download`, retrying transient errors with exponential back-off."""
    os.makedirs(os.path.dirname(part), exist_ok=True)
    with_retries(
        lambda: _download(url, part, name=name, size=size, what=what, again=again),
        url=url,
        name=name,
        n_retries=n_retries,
        what=what,
        again=again,
    )


def with_retries(function, *, url, name, n_retries, what, again):
    """Return ``function()``, retrying transient errors with back-off."""
    for attempt in range(n_retries + 1):
        try:
            return function()
        except (http.client.HTTPException, OSError) as exc:
            if not _is_transient(exc):
                if isinstance(exc, urllib.error.HTTPError):
                    raise OSError(
                        f"Cannot download {what} {name!r} from {url!r}: "
                        f"HTTP error {exc.code} ({exc.reason})."
                    ) from exc
                raise
            if attempt == n_retries:
                raise OSError(
                    f"Cannot download {what} {name!r} from {url!r} after "
                    f"{n_retries + 1} attempt(s): {exc}. Check the network and "
                    f"{again}: it resumes where it stopped."
                ) from exc
            time.sleep(_RETRY_DELAY * 2**attempt)


class _AnswerTooLong(OSError):
    """The server sent more bytes than the file has; not worth a retry."""


def _blocks(response, *, limit, name, url, what, allowed):
    """Yield the body of `response` in blocks, reading at most `limit` + 1 bytes.

    The byte past `limit` proves the answer too long, without reading (and
    writing) the rest of it, which may be anything, of any size.
    """
    announced = response.headers.get("Content-Length")
    if announced is not None and announced.isdigit() and int(announced) > limit:
        raise _AnswerTooLong(
            f"Cannot download {what} {name!r} from {url!r}: the server "
            f"announced {announced} bytes, more than {allowed}; nothing was saved."
        )
    n_read = 0
    while block := response.read(min(_CHUNK_SIZE, limit + 1 - n_read)):
        n_read += len(block)
        if n_read > limit:
            raise _AnswerTooLong(
                f"Cannot download {what} {name!r} from {url!r}: the server "
                f"sent more than {allowed}; the download was stopped after "
                f"{n_read} bytes and nothing was saved."
            )
        yield block


def read_url(url, *, name, limit, what, kind):
    """Return the body of `url`, refusing one longer than `limit` bytes.

    `kind` names the file in the message (e.g. "a metadata file").
    """
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:
        expected = response.headers.get("Content-Length")
        content = b"".join(
            _blocks(
                response,
                limit=limit,
                name=name,
                url=url,
                what=what,
                allowed=f"the {limit} bytes allowed for {kind}",
            )
        )
    if expected is not None and len(content) < int(expected):
        raise ConnectionError(
            f"connection closed after {len(content)} of {expected} bytes"
        )
    return content


def _download(url, part, *, name, size, what, again):
    """Download `url` into `part`, continuing a partial file if possible.

    Parameters
    ----------
    url : str
        The file's URL.
    part : str
        The partial file to write.
    name : str
        The file's path in the release, for messages.
    size : int
        The expected size in bytes: a partial file of that size is already
        complete, a larger one is discarded, and an answer that would make
        the file larger is refused after reading one byte too many.
    """
    offset = 0
    if os.path.isfile(part):
        offset = os.path.getsize(part)
        if offset == size:
            return
        if offset > size:
            offset = 0
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    try:
        response = urllib.request.urlopen(request, timeout=_TIMEOUT)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:
            # The server's file is no longer than the partial one, so the
            # partial file is not a prefix of it: start over.
            os.remove(part)
            _download(url, part, name=name, size=size, what=what, again=again)
            return
        raise
    with response:
        content_range = response.headers.get("Content-Range", "")
        resuming = (
            offset
            and response.status == 206
            and content_range.startswith(f"bytes {offset}-")
        )
        # A server that ignores Range answers 200 with the whole file.
        start = offset if resuming else 0
        expected = response.headers.get("Content-Length")
        written = 0
        blocks = _blocks(
            response,
            limit=size - start,
            name=name,
            url=url,
            what=what,
            allowed=f"the {size - start} bytes left of the file, {size} in all",
        )
        try:
            with open(part, "ab" if resuming else "wb") as file:
                for block in blocks:
                    try:
                        file.write(block)
                    except OSError as exc:
                        raise OSError(
                            exc.errno,
                            f"Could not write {what} {name!r} to {part!r}: "
                            f"{exc.strerror or exc}. The files downloaded before "
                            f"are kept: make room and {again}, it resumes where "
                            "it stopped.",
                        ) from exc
                    written += len(block)
        except _AnswerTooLong:
            # The server sends something else than the file: the bytes kept
            # from it are not to be trusted either.
            os.remove(part)
            raise
    # http.client returns a short body without error when the connection
    # drops, so compare with Content-Length and let the caller retry.
    if expected is not None and written < int(expected):
        raise ConnectionError(f"connection closed after {written} of {expected} bytes")
