"""Download CREMA-D from its official repository, verified against checksums."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import csv
import gzip
import io
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from importlib import resources

from sklearn.utils import Bunch

from skmer.datasets._base import (
    _apply_filters,
    _check_choice,
    _describe_filters,
    get_data_home,
)
from skmer.datasets._crema_d import (
    MEDIA,
    _check_crema_d_filters,
    _read_demographics,
    _read_votes,
    load_crema_d,
    parse_crema_d_filename,
)
from skmer.datasets._download import (
    download_verified,
    is_complete,
    read_url,
    with_retries,
)
from skmer.utils._files import write_bytes

# Git LFS serves the media content here; the CSV files are plain Git files,
# which raw.githubusercontent.com serves.
CREMA_D_URL = (
    "https://media.githubusercontent.com/media/CheyneyComputerScience/CREMA-D/master/"
)
CREMA_D_METADATA_URL = (
    "https://raw.githubusercontent.com/CheyneyComputerScience/CREMA-D/master/"
)
# The metadata files and the readers that check them: they are not in the
# manifest, so only parsing them tells a real file from an error page.
_METADATA_FILES = {
    "VideoDemographics.csv": _read_demographics,
    "processedResults/summaryTable.csv": _read_votes,
}
# The real files have 4 kB and 449 kB: a longer answer is not one of them.
_METADATA_MAX_SIZE = 16 << 20
# How download messages name a file and say what to do next.
_NAMING = {"what": "CREMA-D file", "again": "call fetch_crema_d again"}


def _read_manifest():
    """Return the (path, sha256, size) rows of the packaged CREMA-D manifest."""
    resource = resources.files("skmer.datasets") / "data" / "crema_d_manifest.tsv.gz"
    text = gzip.decompress(resource.read_bytes()).decode("utf-8")
    reader = csv.DictReader(io.StringIO(text), delimiter="\t")
    return [(row["path"], row["sha256"], int(row["size"])) for row in reader]


def fetch_crema_d(
    data_home: str | os.PathLike | None = None,
    *,
    media=("video",),
    actors=None,
    sentences=None,
    emotions=None,
    intensities=None,
    metadata: bool = True,
    base_url: str = CREMA_D_URL,
    metadata_url: str = CREMA_D_METADATA_URL,
    n_retries: int = 3,
    verbose: int = 0,
) -> Bunch:
    """Download chosen files of CREMA-D, verify them, and load them.

    The files come from the official repository of CREMA-D, where they are
    stored with Git LFS, and land in ``<data_home>/crema_d`` with the layout
    of the release (``VideoFlash/1001_DFA_ANG_XX.flv``, ...). Each media file
    is checked against the SHA-256 and size of the official release, which
    skmer ships as a manifest. Files already present are skipped, and an
    interrupted download resumes where it stopped.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The skmer data folder; see :func:`get_data_home`. None uses
        ``SKMER_DATA`` or ``~/skmer_data``.
    media : {'video', 'wav', 'mp3'} or tuple of them, default=('video',)
        Which versions of the clips to download: the Flash videos with sound
        (``VideoFlash``, 2.4 GB in all), the processed WAV audio
        (``AudioWAV``, 0.6 GB) or the MP3 audio played to the raters
        (``AudioMP3``, 0.6 GB). The returned Bunch lists the first one.
    actors : int, str or list of int or str, default=None
        Download these actors only, e.g. ``[1001, "1002"]`` (1001 to 1091).
        None downloads all 91.
    sentences : str or list of str, default=None
        Download these sentence codes only, e.g. ``"IEO"``. None downloads
        all 12.
    emotions : str or list of str, default=None
        Download these emotions only, among ``"ANG"``, ``"DIS"``, ``"FEA"``,
        ``"HAP"``, ``"NEU"`` and ``"SAD"``. None downloads all.
    intensities : str or list of str, default=None
        Download these intensity codes only, among ``"LO"``, ``"MD"``,
        ``"HI"`` and ``"XX"``. None downloads all.
    metadata : bool, default=True
        Whether to also download ``VideoDemographics.csv`` and
        ``processedResults/summaryTable.csv``, so that the loaded frame has
        the actors' demographics and the human majority votes. These two
        files are not in the manifest: they are downloaded without checksum.
    base_url : str, default=CREMA_D_URL
        URL of the folder that serves the media files by their path in the
        repository. The default serves the Git LFS content of the official
        repository.
    metadata_url : str, default=CREMA_D_METADATA_URL
        URL of the folder that serves the two CSV files by their path in the
        repository.
    n_retries : int, default=3
        How many times to retry a file after a network error or a transient
        HTTP error (408, 429, 5xx), waiting 1, 2, 4, ... seconds. Each retry
        resumes the partial download.
    verbose : int, default=0
        0 prints nothing, 1 prints a summary, 2 also prints each file.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        What :func:`load_crema_d` returns for ``<data_home>/crema_d`` with
        the first of `media` and the same filters: ``paths``, ``target``,
        ``groups``, ``frame``, ``target_names`` and ``DESCR``.

    Raises
    ------
    ValueError
        If an argument has an unknown value, or a manifest path would lead
        outside ``<data_home>/crema_d``.
    OSError
        If a file cannot be downloaded (its name and URL are in the message),
        is longer than expected, does not match its checksum or, for the
        metadata, is not the expected CSV file; or if it cannot be written
        (a full disk). Files already verified are kept, so calling again
        resumes.

    See Also
    --------
    load_crema_d : Load a local copy, downloaded or not.
    get_data_home : Where the files go.

    Notes
    -----
    Each file is written to ``<name>.part``, verified, flushed to disk, then
    renamed, so a file under its final name is always complete and verified.
    A later call checks the size of such a file only, which keeps a call
    with everything present fast and offline; delete a file to download it
    again. A ``.part`` file left by an interrupted call (or a full disk) is
    continued with an HTTP Range request (or downloaded again if the server
    ignores Range). A file whose checksum does not match is deleted and
    reported. An answer longer than the file is refused as soon as the byte
    past the expected size arrives (or its ``Content-Length`` says so), and
    a manifest path that is absolute or has ``..`` parts is refused before
    anything is downloaded.

    The two metadata files have no checksum: each must parse as the CSV
    file with the expected columns. One that does not (such as an error
    page served in its place) is not saved, and a stored copy that does not
    is downloaded again. They are written to a temporary file and renamed,
    so a failure keeps the earlier copy.

    CREMA-D is under the Open Database License 1.0; its contents are under
    the Database Contents License 1.0.

    References
    ----------
    .. [1] H. Cao, D. G. Cooper, M. K. Keutmann, R. C. Gur, A. Nenkova and
       R. Verma, "CREMA-D: Crowd-sourced Emotional Multimodal Actors
       Dataset", IEEE Transactions on Affective Computing, 5(4), 377-390,
       2014.

    Examples
    --------
    >>> from skmer.datasets import fetch_crema_d
    >>> data = fetch_crema_d(actors=1001, sentences="DFA")  # doctest: +SKIP
    >>> data.target  # doctest: +SKIP
    array(['ANG', 'DIS', 'FEA', 'HAP', 'NEU', 'SAD'], dtype='<U3')
    """
    media = _check_media(media)
    filter_args = {
        "emotions": emotions,
        "actors": actors,
        "sentences": sentences,
        "intensities": intensities,
    }
    filters = _check_crema_d_filters(**filter_args)
    if not isinstance(n_retries, int) or n_retries < 0:
        raise ValueError(
            f"n_retries must be a non-negative integer; got {n_retries!r}."
        )

    rows = _apply_filters(_manifest_rows(media), filters)
    if not rows:
        raise ValueError(
            f"No CREMA-D file of media={media!r} matches "
            + _describe_filters(**filter_args)
            + "."
        )
    root = os.path.join(get_data_home(data_home), "crema_d")
    _download_missing(root, rows, base_url, n_retries=n_retries, verbose=verbose)
    if metadata:
        for relpath in _METADATA_FILES:
            _fetch_metadata(
                _join_url(metadata_url, relpath),
                _local_path(root, relpath),
                name=relpath,
                n_retries=n_retries,
                verbose=verbose,
            )
    return load_crema_d(root, media=media[0], **filter_args)


def _check_media(media):
    """Return `media` as a non-empty tuple of known media names."""
    if isinstance(media, str):
        media = (media,)
    media = tuple(media)
    if not media:
        raise ValueError(
            "media must name at least one of 'mp3', 'video', 'wav'; got ()."
        )
    for value in media:
        _check_choice(value, name="media", allowed=MEDIA)
    return media


def _manifest_rows(media):
    """Return the manifest's rows in the folders of `media`, names parsed."""
    folders = {MEDIA[value][0] for value in media}
    rows = []
    for relpath, sha256, size in _read_manifest():
        _check_relpath(relpath)
        folder, _, filename = relpath.partition("/")
        if folder in folders:
            rows.append(
                {
                    "relpath": relpath,
                    "sha256": sha256,
                    "size": size,
                    **parse_crema_d_filename(filename),
                }
            )
    return rows


def _download_missing(root, rows, base_url, *, n_retries, verbose):
    """Download the files of `rows` that are not complete under `root`."""
    todo = [
        row
        for row in rows
        if not is_complete(_local_path(root, row["relpath"]), row["size"])
    ]
    if verbose:
        n_bytes = sum(row["size"] for row in todo)
        print(
            f"CREMA-D: {len(rows) - len(todo)} of {len(rows)} files already in "
            f"{root}; downloading {len(todo)} ({n_bytes / 1e6:.1f} MB).",
            file=sys.stderr,
        )
    for i, row in enumerate(todo, start=1):
        if verbose > 1:
            print(f"[{i}/{len(todo)}] {row['relpath']}", file=sys.stderr)
        download_verified(
            _join_url(base_url, row["relpath"]),
            _local_path(root, row["relpath"]),
            name=row["relpath"],
            sha256=row["sha256"],
            size=row["size"],
            n_retries=n_retries,
            **_NAMING,
        )


def _check_relpath(relpath):
    """Refuse a manifest path that could lead outside the dataset folder."""
    parts = relpath.split("/")
    if "\\" in relpath or ":" in parts[0] or any(p in ("", ".", "..") for p in parts):
        raise ValueError(
            f"CREMA-D manifest path {relpath!r} must be a relative path of "
            "names joined by '/', without '..', '.' or empty parts, so that it "
            "stays inside the dataset folder; refusing to download it."
        )


def _local_path(root, relpath):
    _check_relpath(relpath)
    return os.path.join(root, *relpath.split("/"))


def _join_url(base_url, relpath):
    return base_url.rstrip("/") + "/" + urllib.parse.quote(relpath)


def _fetch_metadata(url, path, *, name, n_retries, verbose):
    """Download metadata file `name` to `path`, unless a valid copy is there.

    A copy that does not parse as the expected CSV (an error page saved by an
    earlier download) is downloaded again; a download that does not parse
    either is not saved.
    """
    read = _METADATA_FILES[name]
    if os.path.isfile(path):
        try:
            read(path)
            return
        except ValueError:
            if verbose:
                print(
                    f"CREMA-D metadata: {name} is not the expected CSV file; "
                    "downloading it again.",
                    file=sys.stderr,
                )
    elif verbose > 1:
        print(f"CREMA-D metadata: {name}", file=sys.stderr)
    content = with_retries(
        lambda: read_url(
            url,
            name=name,
            limit=_METADATA_MAX_SIZE,
            what=_NAMING["what"],
            kind="a metadata file",
        ),
        url=url,
        name=name,
        n_retries=n_retries,
        **_NAMING,
    )
    try:
        read(io.BytesIO(content), name=name)
    except ValueError as exc:
        raise OSError(
            f"Downloaded CREMA-D file {name!r} from {url!r} is not the expected "
            f"CSV file, so it was not saved: {exc} The answer starts with "
            f"{content[:40]!r}; call fetch_crema_d again later."
        ) from exc
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_bytes(path, content)
