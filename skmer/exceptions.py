"""Warning and error classes raised by skmer."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

__all__ = [
    "CacheWarning",
    "MediaError",
    "MissingStreamError",
    "NoFaceDetectedWarning",
    "SkippedFilesWarning",
    "SpeakerLeakageWarning",
]


class MediaError(ValueError):
    """A media file cannot be decoded: it is not media, corrupt or truncated.

    Subclasses :class:`ValueError`, so ``except ValueError`` catches it too.

    Parameters
    ----------
    path : str
        The file that failed.
    reason : str
        What is wrong with it, as a sentence fragment.

    Attributes
    ----------
    path : str
        The file that failed.
    reason : str
        What is wrong with it.
    """

    def __init__(self, path, reason):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"Cannot decode {self.path!r}: {reason}")

    def __reduce__(self):
        # Keep the two-argument constructor through pickling, so the error
        # survives the trip back from a joblib worker process.
        return (type(self), (self.path, self.reason))


class MissingStreamError(MediaError):
    """A media file has no stream of the kind asked for (video or audio).

    Parameters
    ----------
    path : str
        The file that failed.
    reason : str
        What is missing, as a sentence fragment.

    Attributes
    ----------
    path : str
        The file that failed.
    reason : str
        What is missing.
    """


class NoFaceDetectedWarning(UserWarning):
    """The face detector found no face in some frames; a centre crop was used."""


class CacheWarning(UserWarning):
    """The feature cache cannot be written; features are computed without it."""


class SkippedFilesWarning(UserWarning):
    """Some files could not be read and were skipped (``on_error='skip'``).

    The message lists each skipped file with the reason. Their rows of the
    feature matrix are NaN, so rows stay aligned with the labels.

    Parameters
    ----------
    message : str
        The warning's text.
    skipped : list of (str, str), default=()
        Each skipped file's path and the reason, also kept as the attribute
        ``skipped`` for programs that report them.
    """

    def __init__(self, message, skipped=()):
        super().__init__(message)
        self.skipped = list(skipped)


class SpeakerLeakageWarning(UserWarning):
    """A random split puts clips of the same speaker in training and test data.

    Raised when the speakers (groups) are known but the cross-validation
    splitter ignores them: the scores then partly measure how well the model
    recognises the speaker, not the emotion, and overstate accuracy on new
    speakers. Pass a group-aware splitter such as
    :class:`~sklearn.model_selection.StratifiedGroupKFold`.
    """
