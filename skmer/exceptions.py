"""Warning and error classes raised by skmer."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

__all__ = [
    "CacheWarning",
    "MediaError",
    "MissingModelFileWarning",
    "MissingStreamError",
    "NoFaceDetectedWarning",
    "SkippedFilesWarning",
    "SpeakerLeakageWarning",
    "TruncatedMediaWarning",
    "UntrustedTypeError",
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

    Examples
    --------
    >>> import os, tempfile
    >>> from skmer.exceptions import MediaError
    >>> from skmer.io import load_audio
    >>> path = os.path.join(tempfile.mkdtemp(), "notes.wav")
    >>> with open(path, "w") as f:
    ...     _ = f.write("not audio")
    >>> try:
    ...     load_audio(path)
    ... except MediaError as exc:
    ...     print(os.path.basename(exc.path), "-", exc.reason.split(",")[0])
    notes.wav - not a media file
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

    Examples
    --------
    >>> import os, tempfile, wave
    >>> from skmer.exceptions import MissingStreamError
    >>> from skmer.io import load_frames
    >>> path = os.path.join(tempfile.mkdtemp(), "silence.wav")
    >>> with wave.open(path, "wb") as f:
    ...     f.setnchannels(1); f.setsampwidth(2); f.setframerate(16000)
    ...     f.writeframes(bytes(32000))
    >>> try:
    ...     load_frames(path)
    ... except MissingStreamError as exc:
    ...     print(exc.reason)
    it has no video stream (it contains: audio).
    """


class TruncatedMediaWarning(UserWarning):
    """A stream ends earlier than its container declares, but not by much.

    Decoding stopped more than 0.1 s (or 3 % of the clip) before the declared
    duration: a file cut short, by an interrupted copy or download, looks like
    this. The frames and samples that do decode are used. A stream that ends
    more than 0.3 s (or 10 %) early is refused with a
    :class:`MediaError` instead.

    Examples
    --------
    >>> import os, tempfile, warnings, wave
    >>> from skmer.exceptions import TruncatedMediaWarning
    >>> from skmer.io import load_audio
    >>> path = os.path.join(tempfile.mkdtemp(), "cut.wav")
    >>> with wave.open(path, "wb") as f:
    ...     f.setnchannels(1); f.setsampwidth(2); f.setframerate(16000)
    ...     f.writeframes(bytes(2 * 16000 * 3))
    >>> with open(path, "r+b") as f:  # cut the 3 s to 2.8 s
    ...     _ = f.truncate(44 + 2 * 16000 * 28 // 10)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     y = load_audio(path, sr=16000)
    >>> y.size / 16000, [w.category.__name__ for w in caught]
    (2.8, ['TruncatedMediaWarning'])
    """


class NoFaceDetectedWarning(UserWarning):
    """The face detector found no face in some frames; a centre crop was used.

    :class:`~skmer.feature_extraction.FaceExtractor` emits one per call, with
    the count of such frames; ``on_no_face='raise'`` raises instead and
    ``'ignore'`` is silent.

    Examples
    --------
    >>> import os, tempfile, warnings
    >>> import cv2
    >>> import numpy as np
    >>> from skmer.exceptions import NoFaceDetectedWarning
    >>> from skmer.feature_extraction import FaceExtractor
    >>> wall = os.path.join(tempfile.mkdtemp(), "wall.png")
    >>> _ = cv2.imwrite(wall, np.full((60, 80, 3), 128, dtype=np.uint8))
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     X = FaceExtractor(size=8, detector="haar").fit_transform([wall])
    >>> [w.category.__name__ for w in caught]
    ['NoFaceDetectedWarning']
    """


class MissingModelFileWarning(UserWarning):
    """A pretrained file is not present; a documented fallback is used.

    ``FaceExtractor(detector='auto')`` emits it when the YuNet detector's file
    is not in ``SKMER_MODEL_DIR`` or the data home, and uses OpenCV's Haar
    cascade instead. Fetch the file once to use it from then on, or choose
    the detector explicitly to silence the warning.
    """


class CacheWarning(UserWarning):
    """The feature cache cannot be written; features are computed without it.

    Examples
    --------
    >>> import os, tempfile, warnings, wave
    >>> from skmer.exceptions import CacheWarning
    >>> from skmer.feature_extraction import MFCCExtractor
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "silence.wav")
    >>> with wave.open(path, "wb") as f:
    ...     f.setnchannels(1); f.setsampwidth(2); f.setframerate(16000)
    ...     f.writeframes(bytes(32000))
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     X = MFCCExtractor(cache_dir=path).fit_transform([path])  # a file
    >>> X.shape, [w.category.__name__ for w in caught]
    ((1, 5120), ['CacheWarning'])
    """


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

    Examples
    --------
    >>> import os, tempfile, warnings, wave
    >>> import numpy as np
    >>> from skmer.exceptions import SkippedFilesWarning
    >>> from skmer.feature_extraction import MFCCExtractor
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "silence.wav")
    >>> with wave.open(path, "wb") as f:
    ...     f.setnchannels(1); f.setsampwidth(2); f.setframerate(16000)
    ...     f.writeframes(bytes(32000))
    >>> missing = os.path.join(folder, "missing.wav")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     X = MFCCExtractor(on_error="skip").fit_transform([path, missing])
    >>> np.isnan(X).any(axis=1), [w.category.__name__ for w in caught]
    (array([False,  True]), ['SkippedFilesWarning'])
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


class UntrustedTypeError(ValueError):
    """A model file names classes or functions that are not trusted.

    :func:`skmer.load_model` builds scikit-learn's and skmer's estimators
    only. A file that names anything else is refused before any of it is
    loaded; the message lists the names, which can be passed to
    ``load_model(..., trusted=[...])`` by someone who trusts them.

    Subclasses :class:`ValueError`.

    Examples
    --------
    >>> from skmer.exceptions import UntrustedTypeError
    >>> issubclass(UntrustedTypeError, ValueError)
    True
    """
