"""Readers of the CREMA-D side tables, for clips listed without the loader."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import os

from skmer.datasets._crema_d import _read_demographics, _read_votes
from skmer.evaluation._groups import age_bands

__all__ = ["read_crema_d_demographics", "read_crema_d_votes"]


def _check_file(path, what):
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"CREMA-D {what} file {os.fspath(path)!r} does not exist."
        )


def read_crema_d_demographics(path):
    r"""Read CREMA-D's ``VideoDemographics.csv``: one row per actor.

    :func:`~skmer.datasets.load_crema_d` joins this file to its ``frame``
    when it sits in the release's folder; read it here when it lives
    elsewhere, and join it on ``actor``.

    Parameters
    ----------
    path : str or path-like
        The CSV file, with the columns ``ActorID``, ``Age``, ``Sex``,
        ``Race`` and ``Ethnicity``.

    Returns
    -------
    demographics : DataFrame
        Columns ``actor`` (str), ``age``, ``age_band`` (see
        :func:`age_bands`), ``sex`` (lower case), ``race`` and
        ``ethnicity``.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from skmer.evaluation import read_crema_d_demographics
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = os.path.join(tmp.name, "VideoDemographics.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write('"ActorID","Age","Sex","Race","Ethnicity"\n'
    ...                 '1001,51,"Male","Caucasian","Not Hispanic"\n')
    >>> read_crema_d_demographics(path)[["actor", "age_band", "sex"]]
      actor age_band   sex
    0  1001    50-59  male
    >>> tmp.cleanup()
    """
    _check_file(path, "demographics")
    table = _read_demographics(path)
    table.insert(2, "age_band", age_bands(table["age"]))
    return table


def read_crema_d_votes(path):
    r"""Read CREMA-D's ``summaryTable.csv``: the human raters' votes per clip.

    For every clip, the majority vote of the raters who heard the voice
    only, saw the face only, or both, and the share of raters who agreed.
    :func:`~skmer.datasets.load_crema_d` joins this file to its ``frame``
    when it sits in the release's folder; read it here when it lives
    elsewhere, and align it on the clip names for the ``human_votes`` of
    :func:`compare_modalities`.

    Parameters
    ----------
    path : str or path-like
        The CSV file (``processedResults/summaryTable.csv`` of the release),
        with the columns ``FileName``, ``VoiceVote``, ``VoiceLevel``,
        ``FaceVote``, ``FaceLevel``, ``MultiModalVote`` and
        ``MultiModalLevel`` (matched case-insensitively).

    Returns
    -------
    votes : DataFrame
        One row per clip: ``clip`` (e.g. ``'1001_IEO_HAP_HI'``),
        ``voice_vote``, ``voice_level``, ``face_vote``, ``face_level``,
        ``multimodal_vote`` and ``multimodal_level``. Votes use the emotion
        codes of the loader (``'ANG'``, ``'DIS'``, ``'FEA'``, ``'HAP'``,
        ``'NEU'``, ``'SAD'``), ties joined by ``':'``; levels are the
        percentages as text, one per emotion for a tie (``'30.67:51.00'``).

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from skmer.evaluation import read_crema_d_votes
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = os.path.join(tmp.name, "summaryTable.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write(
    ...         '"","FileName","VoiceVote","VoiceLevel","FaceVote","FaceLevel",'
    ...         '"MultiModalVote","MultiModalLevel"\n'
    ...         '"1","1001_IEO_HAP_HI","H","63.5","H:N","50","H","73.2"\n'
    ...     )
    >>> votes = read_crema_d_votes(path)
    >>> votes[["clip", "voice_vote", "face_vote", "multimodal_level"]]
                  clip voice_vote face_vote multimodal_level
    0  1001_IEO_HAP_HI        HAP   HAP:NEU             73.2
    >>> tmp.cleanup()
    """
    _check_file(path, "summary table")
    return _read_votes(path)
