"""FaceExtractor: video files in, fixed-size face crops out, flattened."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import functools
import os
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_feature_names_in

from skmer.exceptions import NoFaceDetectedWarning
from skmer.feature_extraction._base import _MediaExtractor
from skmer.io import load_frames
from skmer.utils._optional import import_optional
from skmer.utils._warnings import caller_stacklevel

# Haar runs on frames whose shorter side is at most this many pixels: faces in
# emotion corpora fill a good part of the frame, and detection time grows with
# the number of pixels.
_DETECTION_SIDE = 360


class FaceExtractor(_MediaExtractor):
    """Detect, crop and resize the face in frames sampled from video files.

    For each file, ``n_frames`` frames are decoded (only those frames), the
    largest face in each is found with the chosen detector, and a square
    around it is cropped, resized to ``size`` x ``size`` and scaled to
    [0, 1]. The crops of a file are concatenated into one row.

    Read more in the :ref:`User Guide <face_extraction>`.

    Parameters
    ----------
    size : int, default=64
        Side in pixels of the square face crop.
    n_frames : int, default=1
        Frames per clip, evenly spread: the centres of ``n_frames`` equal
        segments of the clip (one frame is the middle frame). More than one
        feeds temporal models and frame averaging.
    color : {'rgb', 'gray'}, default='rgb'
        Colour crops with 3 channels, or grayscale crops with 1.
    margin : float, default=0.0
        Extra border around the detected box on each side, as a fraction of
        the box side (0.2 adds 20 % of the side on every side). The Haar box
        spans brows to chin; a margin keeps the forehead and jaw.
    min_face_size : float, default=0.2
        Smallest face to accept, as a fraction of the frame's shorter side.
        Emotion corpora film talking heads, whose faces span a third to a
        half of the frame; small detections there are false (a collar, a
        shadow). Lower it for wide shots or group pictures.
    detector : {'haar', 'mtcnn'}, default='haar'
        Face detector. ``'haar'`` is OpenCV's frontal-face Haar cascade, as in
        the reference paper: fast, and needs only OpenCV. ``'mtcnn'`` is the
        MTCNN network (``pip install skmer[mtcnn]``): slower (about 0.3 s a
        frame on a CPU), finds faces Haar misses, and its eye landmarks are
        used to rotate each face so that the eyes are level before cropping.
    on_no_face : {'warn', 'ignore', 'raise'}, default='warn'
        What to do for a frame without a detected face. ``'warn'`` and
        ``'ignore'`` crop where the face was in the nearest frame of the same
        clip that has one, else the largest centred square; ``'warn'`` then
        emits one :class:`~skmer.exceptions.NoFaceDetectedWarning` per call
        with the count. ``'raise'`` raises a ValueError naming the files.
    on_error : {'raise', 'skip'}, default='raise'
        What to do with a file that cannot be read (missing, a directory,
        empty, not media, corrupt or truncated, or without the stream
        needed). ``'raise'`` raises the error, which names the file. ``'skip'``
        fills the file's row with NaN, so rows stay aligned with ``y``, and
        emits one :class:`~skmer.exceptions.SkippedFilesWarning` per call that
        lists the skipped files and why. Failures are not cached.
    n_jobs : int, default=None
        Number of files processed in parallel with joblib. None means 1
        unless in a :func:`joblib.parallel_config` context; -1 uses all
        processors. A Dask or Ray backend set there distributes the files.
    cache_dir : str or path-like, default=None
        Directory of a per-file cache of crops. Entries are keyed on the file
        (see ``cache_key``) and on the parameters that change the output, so
        transforming the same files again (in another fold, grid-search
        candidate or process) decodes nothing. None disables caching.
    cache_key : {'stat', 'content'}, default='stat'
        What identifies a file in the cache. ``'stat'`` trusts its absolute
        path, size and modification time: free, and an edited, touched or
        moved file is extracted again, but a file replaced by another of the
        same size and modification time (``cp -p``, an archive unpacked
        again) keeps the old file's crops. ``'content'`` hashes the
        file's bytes on every lookup instead (BLAKE2b: about 0.5 ms for a
        300 kB clip, against tens of milliseconds to decode it), so a
        replaced file is always extracted again, and a moved one is not: use
        it when files can be replaced in place. Either way an entry is
        checked against a checksum before use, and a damaged one is
        recomputed.
    verbose : int, default=0
        Show a progress bar when positive.

    Attributes
    ----------
    n_features_in_ : int
        Number of input columns seen in :term:`fit` (always 1).
    feature_names_in_ : ndarray of shape (1,)
        Name of the input column, when fitted on a named pandas object.

    See Also
    --------
    MFCCExtractor : The audio block: MFCC matrices from the same files.
    skmer.io.load_frames : The frame decoder used here.

    Notes
    -----
    The output of one file is the C-order flattening of an array of shape
    ``(n_frames, size, size, channels)``. The transformer learns nothing:
    ``fit`` only validates, and ``transform`` works without it.

    References
    ----------
    .. [1] P. Viola and M. Jones, "Rapid object detection using a boosted
       cascade of simple features", CVPR 2001.
    .. [2] K. Zhang, Z. Zhang, Z. Li and Y. Qiao, "Joint face detection and
       alignment using multitask cascaded convolutional networks", IEEE Signal
       Processing Letters 23(10), 2016.

    Examples
    --------
    >>> from skmer.feature_extraction import FaceExtractor
    >>> paths = [getfixture("tiny_video")]
    >>> extractor = FaceExtractor(size=32, on_no_face="ignore")
    >>> X = extractor.fit_transform(paths)
    >>> X.shape, X.dtype
    ((1, 3072), dtype('float32'))
    >>> extractor.get_feature_names_out()[:2]
    array(['face_f0_y00_x00_r', 'face_f0_y00_x00_g'], dtype=object)
    """

    _parameter_constraints: dict = {
        **_MediaExtractor._parameter_constraints,
        "size": [Interval(Integral, 8, None, closed="left")],
        "n_frames": [Interval(Integral, 1, None, closed="left")],
        "color": [StrOptions({"rgb", "gray"})],
        "margin": [Interval(Real, 0, None, closed="left")],
        "min_face_size": [Interval(Real, 0, 1, closed="neither")],
        "detector": [StrOptions({"haar", "mtcnn"})],
        "on_no_face": [StrOptions({"warn", "ignore", "raise"})],
    }

    _runtime_params = (*_MediaExtractor._runtime_params, "on_no_face")

    def __init__(
        self,
        size=64,
        *,
        n_frames=1,
        color="rgb",
        margin=0.0,
        min_face_size=0.2,
        detector="haar",
        on_no_face="warn",
        on_error="raise",
        n_jobs=None,
        cache_dir=None,
        cache_key="stat",
        verbose=0,
    ):
        self.size = size
        self.n_frames = n_frames
        self.color = color
        self.margin = margin
        self.min_face_size = min_face_size
        self.detector = detector
        self.on_no_face = on_no_face
        self.on_error = on_error
        self.n_jobs = n_jobs
        self.cache_dir = cache_dir
        self.cache_key = cache_key
        self.verbose = verbose

    def transform(self, X):
        """Crop the faces of each file.

        Parameters
        ----------
        X : array-like of shape (n_samples,)
            Paths of video files (or images), as a list, 1-D array, pandas
            Series or one-column DataFrame.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_frames * size * size * channels)
            Face crops scaled to [0, 1], one row per file, float32.
        """
        paths = self._check_transform_input(X)
        X_new, side = self._transform_paths(paths, keep=("boxes",))
        self._report_misses(paths, side["boxes"])
        return X_new

    def locate_faces(self, X):
        """Return the detected face box in each sampled frame.

        Uses the same cache as :meth:`transform`, so after a transform it
        decodes nothing.

        Parameters
        ----------
        X : array-like of shape (n_samples,)
            Paths of video files, as for :meth:`transform`.

        Returns
        -------
        boxes : ndarray of shape (n_samples, n_frames, 4)
            ``(x, y, width, height)`` of the face in pixels of the original
            frame; NaN where no face was found or the file was skipped.
        """
        paths = self._check_transform_input(X)
        boxes = np.full((len(paths), self.n_frames, 4), np.nan, dtype=np.float32)

        def consume(index, arrays):
            if arrays is not None:
                boxes[index] = arrays["boxes"]

        self._extract_files(paths, consume)
        return boxes

    def get_feature_names_out(self, input_features=None):
        """Get output feature names: ``face_f{frame}_y{row}_x{col}_{channel}``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked against ``feature_names_in_``; the names of the
            output do not depend on it.

        Returns
        -------
        feature_names_out : ndarray of str objects
            One name per output column, e.g. ``face_f0_y12_x30_g``.
        """
        # The names do not depend on the input, and the extractor works
        # unfitted (requires_fit is False): do not require n_features_in_.
        _check_feature_names_in(self, input_features, generate_names=False)
        channels = ["r", "g", "b"] if self.color == "rgb" else ["gray"]
        width = len(str(self.size - 1))
        names = [
            f"face_f{f}_y{y:0{width}d}_x{x:0{width}d}_{c}"
            for f in range(self.n_frames)
            for y in range(self.size)
            for x in range(self.size)
            for c in channels
        ]
        return np.asarray(names, dtype=object)

    def _n_features_out(self):
        channels = 3 if self.color == "rgb" else 1
        return self.n_frames * self.size * self.size * channels

    def _decode(self, path):
        """Decode the frames the crops need (the benchmark's decode floor)."""
        return load_frames(path, n_frames=self.n_frames)

    def _extract_file(self, path):
        frames = self._decode(path)
        if self.detector == "haar":
            found = [_detect_haar(frame, self.min_face_size) for frame in frames]
        else:
            found = [_detect_mtcnn(frame, self.min_face_size) for frame in frames]
        boxes = np.full((len(frames), 4), np.nan, dtype=np.float32)
        for i, face in enumerate(found):
            if face is not None:
                boxes[i] = face[0]
        crops = []
        for i, frame in enumerate(frames):
            face = found[i] or _nearest_face(found, i)
            if face is None:
                height, width = frame.shape[:2]
                side = min(height, width)
                centre, angle = ((width - 1) / 2, (height - 1) / 2), 0.0
            else:
                (x, y, w, h), angle = face
                side = max(w, h) * (1 + 2 * self.margin)
                centre = (x + (w - 1) / 2, y + (h - 1) / 2)
            crops.append(_crop(frame, centre, side, angle, self.size, self.color))
        X = np.stack(crops).astype(np.float32).ravel() / np.float32(255)
        return {"X": X, "boxes": boxes}

    def _report_misses(self, paths, boxes):
        # A skipped file (None) is reported as skipped, not as faceless.
        missed = [0 if b is None else int(np.isnan(b[:, 0]).sum()) for b in boxes]
        n_missed = sum(missed)
        if n_missed == 0 or self.on_no_face == "ignore":
            return
        files = [str(p) for p, m in zip(paths, missed, strict=True) if m]
        shown = ", ".join(repr(f) for f in files[:3])
        more = f" and {len(files) - 3} more" if len(files) > 3 else ""
        if self.on_no_face == "raise":
            raise ValueError(
                f"No face detected in {n_missed} of {len(paths) * self.n_frames} "
                f"frames, in {len(files)} files: {shown}{more}. Pass "
                "on_no_face='warn' to crop where the face is expected instead."
            )
        warnings.warn(
            f"No face detected in {n_missed} of {len(paths) * self.n_frames} "
            f"frames ({len(files)} files, e.g. {shown}{more}); cropped where the "
            "face was in the nearest frame of the clip, else the centre. "
            "Call locate_faces to see which frames.",
            NoFaceDetectedWarning,
            stacklevel=caller_stacklevel(),
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.detector == "mtcnn"
        return tags


def _nearest_face(found, index):
    """Return the face of the nearest frame to ``index`` that has one, or None."""
    hits = [i for i, face in enumerate(found) if face is not None]
    if not hits:
        return None
    return found[min(hits, key=lambda i: abs(i - index))]


def _crop(frame, centre, side, angle, size, color):
    """Square crop of ``side`` px around ``centre``, rotated by ``angle``.

    One affine warp crops, rotates and pads (replicating the border where the
    square leaves the frame); area interpolation then downsizes without
    aliasing.
    """
    import cv2

    side_px = max(int(round(side)), 1)
    half = (side_px - 1) / 2
    matrix = cv2.getRotationMatrix2D(centre, angle, 1.0)
    matrix[:, 2] += (half - centre[0], half - centre[1])
    patch = cv2.warpAffine(
        frame,
        matrix,
        (side_px, side_px),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    interpolation = cv2.INTER_AREA if side_px > size else cv2.INTER_LINEAR
    patch = cv2.resize(patch, (size, size), interpolation=interpolation)
    if color == "gray":
        patch = cv2.cvtColor(patch, cv2.COLOR_RGB2GRAY)[..., None]
    return patch


@functools.lru_cache(maxsize=1)
def _haar_cascade():
    """Load the frontal-face cascade once per process."""
    import cv2

    data = getattr(cv2, "data", None)
    folder = getattr(data, "haarcascades", "")
    path = os.path.join(folder, "haarcascade_frontalface_default.xml")
    if not hasattr(cv2, "CascadeClassifier") or not os.path.isfile(path):
        raise ImportError(
            "FaceExtractor(detector='haar') needs OpenCV's Haar cascade file "
            "haarcascade_frontalface_default.xml, which OpenCV 5 wheels no longer "
            f"ship (found OpenCV {cv2.__version__}). Install "
            "`pip install 'opencv-python-headless>=4.8,<5'`."
        )
    return cv2.CascadeClassifier(path)


def _detect_haar(frame, min_face_size):
    """Largest frontal face in an RGB frame: ``((x, y, w, h), 0.0)`` or None."""
    import cv2

    gray = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
    scale = min(1.0, _DETECTION_SIDE / min(gray.shape))
    if scale < 1.0:
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    gray = cv2.equalizeHist(gray)
    min_side = max(int(min_face_size * min(gray.shape)), 20)
    cascade = _haar_cascade()
    # The paper's setting first; a more permissive pass only for frames where
    # it finds nothing (dim light, dark skin on a bright screen).
    for scale_factor, min_neighbors in ((1.1, 5), (1.05, 3)):
        faces = cascade.detectMultiScale(
            gray,
            scaleFactor=scale_factor,
            minNeighbors=min_neighbors,
            minSize=(min_side, min_side),
        )
        if len(faces):
            x, y, w, h = max(faces, key=lambda f: f[2] * f[3]) / scale
            return (float(x), float(y), float(w), float(h)), 0.0
    return None


@functools.lru_cache(maxsize=1)
def _mtcnn_model():
    """Build the MTCNN detector once per process (several seconds)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    mtcnn = import_optional("mtcnn", "mtcnn", caller="FaceExtractor(detector='mtcnn')")
    return mtcnn.MTCNN(device="CPU:0")


def _detect_mtcnn(frame, min_face_size):
    """Largest face by MTCNN with the in-plane angle that levels the eyes."""
    min_side = min_face_size * min(frame.shape[:2])
    faces = [
        face
        for face in _mtcnn_model().detect_faces(np.ascontiguousarray(frame))
        if max(face["box"][2], face["box"][3]) >= min_side
    ]
    if not faces:
        return None
    face = max(faces, key=lambda f: f["box"][2] * f["box"][3])
    x, y, w, h = (float(v) for v in face["box"])
    eyes = sorted(
        (face["keypoints"]["left_eye"], face["keypoints"]["right_eye"]),
        key=lambda point: point[0],
    )
    (x1, y1), (x2, y2) = eyes
    # Rotating by this angle (counter-clockwise, OpenCV's convention) brings
    # the eye on the right of the image level with the one on the left.
    angle = float(np.degrees(np.arctan2(y2 - y1, x2 - x1)))
    return (x, y, w, h), angle
