"""FaceExtractor: video files in, fixed-size face crops out, flattened."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import copy
import functools
import os
import threading
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from skmer.exceptions import MissingModelFileWarning, NoFaceDetectedWarning
from skmer.feature_extraction._base import _MediaExtractor
from skmer.io import load_frames
from skmer.utils._optional import import_optional
from skmer.utils._warnings import caller_stacklevel

# Haar runs on frames whose shorter side is at most this many pixels: faces in
# emotion corpora fill a good part of the frame, and detection time grows with
# the number of pixels.
_DETECTION_SIDE = 360

# YuNet runs on frames scaled down so that the smallest face accepted
# (min_face_size of the shorter side) still spans this many pixels, well above
# the 10 px of its smallest anchors: 160 px frames at the default
# min_face_size, which on CREMA-D find the same faces as full 360 px frames in
# a third of the time (benchmarks/RESULTS.md).
_YUNET_MIN_FACE = 32

# OpenCV Zoo's demo threshold on YuNet's face score.
_YUNET_SCORE = 0.9

# Where the eyes, nose tip and mouth corners of a face aligned in a 112 x 112
# crop lie, in pixels: ArcFace's template shifted 8 px right to be centred in a
# square, as OpenCV Zoo's face-expression demo aligns faces for its
# MobileFaceNet. Order: eye, eye, nose, mouth corner, mouth corner, each pair
# from the left of the image to the right. Kept as fractions of the side
# (pixel i spans [i, i + 1)), so that at size=112 the points fall on the
# demo's pixel coordinates exactly, and scale with the crop otherwise.
_TEMPLATE = (
    np.array(
        [
            [38.2946, 51.6963],
            [73.5318, 51.5014],
            [56.0252, 71.7366],
            [41.5493, 92.3655],
            [70.7299, 92.2041],
        ]
    )
    + 0.5
) / 112


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
    detector : {'auto', 'yunet', 'haar', 'mtcnn'}, default='auto'
        Face detector.

        - ``'yunet'`` is OpenCV Zoo's YuNet network, run by OpenCV
          (``cv2.FaceDetectorYN``). On 186 CREMA-D clips it found the face in
          every frame of every actor, in 3 ms a frame, and it gives 5
          landmarks for alignment. Its model file (233 kB, MIT licence) comes
          from :func:`skmer.datasets.fetch_model_file`: from the folder named
          by ``SKMER_MODEL_DIR``, else the data home, else downloaded and
          verified on first use; without it ``transform`` raises a
          FileNotFoundError that says where to put it.
        - ``'haar'`` is OpenCV's frontal-face Haar cascade, as in the
          reference paper: needs no file, but misses more faces of
          dark-skinned actors (there, 7 of 15 frames of one actor), in 22 ms
          a frame.
        - ``'auto'`` is YuNet when its verified file is already present (in
          ``SKMER_MODEL_DIR`` or the data home; nothing is downloaded), else
          Haar with a :class:`~skmer.exceptions.MissingModelFileWarning` that
          says how to get YuNet. :meth:`fit` keeps the choice in
          ``detector_``, so a fitted pipeline makes the same crops wherever
          it is loaded (fitted on YuNet crops, it needs the YuNet file). The
          detector used is part of the cache key.
        - ``'mtcnn'`` is the MTCNN network (``pip install skmer[mtcnn]``): as
          thorough as YuNet there, but 40 times slower (0.12 s a frame on a
          CPU); it gives 5 landmarks too.

    align : bool, default=True
        Whether to align the faces with the detector's 5 landmarks (eyes,
        nose tip, mouth corners) for ``'yunet'`` and ``'mtcnn'``: a rotation,
        uniform scaling and shift, fitted by least squares, puts them at the
        places of the 112 x 112 template to which OpenCV Zoo's
        face-expression demo aligns faces (scaled to ``size``). The eyes come
        out level and at the same height in every crop, and the face fills
        the crop to the same degree whatever the box. YuNet's landmarks
        follow only part of an in-plane tilt, so with it a tilted head is
        levelled about half-way; MTCNN's follow it to a few degrees. False
        crops the square around the detected box, unrotated, as for
        ``'haar'``, which gives no landmarks and is never aligned.
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
        What identifies a file in the cache: ``'stat'``, its absolute path,
        size and modification time (a file replaced by another of the same
        size and time keeps the old crops); ``'content'``, a hash of its
        bytes (about 0.5 ms a clip). See :ref:`cache_keys`.
    verbose : int, default=0
        Show a progress bar when positive.

    Attributes
    ----------
    n_features_in_ : int
        Number of input columns seen in :term:`fit` (always 1).
    feature_names_in_ : ndarray of shape (1,)
        Name of the input column, when fitted on a named pandas object.
    detector_ : {'yunet', 'haar', 'mtcnn'}
        The detector used: ``detector``, or what ``'auto'`` chose in
        :term:`fit`.

    See Also
    --------
    MFCCExtractor : The audio block: MFCC matrices from the same files.
    skmer.io.load_frames : The frame decoder used here.

    Notes
    -----
    The output of one file is the C-order flattening of an array of shape
    ``(n_frames, size, size, channels)``. The transformer learns nothing:
    ``fit`` only validates and settles ``'auto'``, and ``transform`` works
    without it.

    An aligned crop with ``size=112`` and ``margin=0`` is the input that
    OpenCV Zoo's MobileFaceNet face-expression network expects. With a
    margin, the template shrinks towards the centre of the crop, so that
    ``margin`` adds the same border as around a box.

    References
    ----------
    .. [1] P. Viola and M. Jones, "Rapid object detection using a boosted
       cascade of simple features", CVPR 2001.
    .. [2] K. Zhang, Z. Zhang, Z. Li and Y. Qiao, "Joint face detection and
       alignment using multitask cascaded convolutional networks", IEEE Signal
       Processing Letters 23(10), 2016.
    .. [3] W. Wu, H. Peng and S. Yu, "YuNet: A Tiny Millisecond-level Face
       Detector", Machine Intelligence Research 20, 656-665, 2023.

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
        "detector": [StrOptions({"auto", "yunet", "haar", "mtcnn"})],
        "align": ["boolean"],
        "on_no_face": [StrOptions({"warn", "ignore", "raise"})],
    }

    _runtime_params = (*_MediaExtractor._runtime_params, "on_no_face")

    # 2: MTCNN crops are aligned on the 5-landmark template (or unrotated with
    # align=False) instead of rotated about the box centre.
    _code_version = 2

    def __init__(
        self,
        size=64,
        *,
        n_frames=1,
        color="rgb",
        margin=0.0,
        min_face_size=0.2,
        detector="auto",
        align=True,
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
        self.align = align
        self.on_no_face = on_no_face
        self.on_error = on_error
        self.n_jobs = n_jobs
        self.cache_dir = cache_dir
        self.cache_key = cache_key
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the input and settle which detector ``'auto'`` stands for.

        The extractor learns nothing from data. With ``detector='auto'``,
        the detector chosen now (YuNet or Haar) is kept in ``detector_`` and
        used by every later :meth:`transform`, so that a fitted pipeline
        makes the same crops wherever it is loaded; without the YuNet file
        there, a model fitted on YuNet crops then raises a FileNotFoundError
        that says how to get it, instead of predicting from Haar crops.

        Parameters
        ----------
        X : array-like of shape (n_samples,)
            File paths.
        y : None
            Not used, present here for API consistency by convention.

        Returns
        -------
        self : object
            Fitted transformer.
        """
        self._validate_paths(X, reset=True)
        self.detector_ = _auto_detector() if self.detector == "auto" else self.detector
        return self

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
        X_new, side = self._resolved()._transform_paths(paths, keep=("boxes",))
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

        self._resolved()._extract_files(paths, consume)
        return boxes

    def _feature_names(self):
        # ``face_f{frame}_y{row}_x{col}_{channel}``, rows and columns
        # zero-padded to sort in column order.
        channels = ["r", "g", "b"] if self.color == "rgb" else ["gray"]
        width = len(str(self.size - 1))
        return [
            f"face_f{f}_y{y:0{width}d}_x{x:0{width}d}_{c}"
            for f in range(self.n_frames)
            for y in range(self.size)
            for x in range(self.size)
            for c in channels
        ]

    def _n_features_out(self):
        channels = 3 if self.color == "rgb" else 1
        return self.n_frames * self.size * self.size * channels

    def _resolved(self):
        """Return the extractor that does the work, with a concrete detector.

        ``'auto'`` becomes ``detector_`` when fitted, else ``'yunet'`` or
        ``'haar'`` by what is on the machine, so that the cache key names the
        detector that made the crops. For YuNet, a copy that
        carries the verified path of the model file. The path is resolved
        here, in the calling process, so that a missing file raises the
        registry's message once, before any work, and the worker processes
        receive it with the copy instead of looking it up in an environment
        that may differ (``SKMER_MODEL_DIR``).
        """
        detector = self.detector
        if detector == "auto":
            detector = getattr(self, "detector_", None) or _auto_detector()
        if detector == self.detector != "yunet":
            return self
        extractor = _replace(self, detector)
        if detector == "yunet":
            from skmer.datasets import fetch_model_file

            extractor._model_file = os.fspath(fetch_model_file("yunet"))
        return extractor

    def _decode(self, path):
        """Decode the frames the crops need (the benchmark's decode floor)."""
        return load_frames(path, n_frames=self.n_frames)

    def _detect(self, frame):
        """Largest face of an RGB frame: ``(box, landmarks)`` or None."""
        if self.detector == "haar":
            return _detect_haar(frame, self.min_face_size)
        if self.detector == "mtcnn":
            return _detect_mtcnn(frame, self.min_face_size)
        return _detect_yunet(frame, self.min_face_size, self._model_file)

    def _extract_file(self, path):
        frames = self._decode(path)
        found = [self._detect(frame) for frame in frames]
        boxes = np.full((len(frames), 4), np.nan, dtype=np.float32)
        for i, face in enumerate(found):
            if face is not None:
                boxes[i] = face[0]
        crops = []
        for i, frame in enumerate(frames):
            face = found[i] or _nearest_face(found, i)
            if face is None:
                height, width = frame.shape[:2]
                centre = ((width - 1) / 2, (height - 1) / 2)
                matrix, side = _box_transform(centre, min(height, width))
            elif self.align and face[1] is not None:
                matrix, side = _aligned_transform(face[1], self.size, self.margin)
            else:
                x, y, w, h = face[0]
                centre = (x + (w - 1) / 2, y + (h - 1) / 2)
                matrix, side = _box_transform(centre, max(w, h) * (1 + 2 * self.margin))
            crops.append(_crop(frame, matrix, side, self.size, self.color))
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


def _auto_detector():
    """``'yunet'`` if its verified file is here (never downloaded), else ``'haar'``."""
    from skmer.datasets import fetch_model_file

    try:
        fetch_model_file("yunet", download=False)
    except FileNotFoundError:
        warnings.warn(
            "FaceExtractor(detector='auto') uses OpenCV's Haar cascade: the "
            "YuNet face detector's file is not in SKMER_MODEL_DIR or the data "
            "home. YuNet finds the faces of every actor more evenly (Haar "
            "misses more faces of dark-skinned actors) and faster. Get it once "
            "with `skmer fetch-model yunet` or skmer.datasets.fetch_model_file("
            "'yunet'), or pass detector='haar' to use Haar without this warning.",
            MissingModelFileWarning,
            stacklevel=caller_stacklevel(),
        )
        return "haar"
    return "yunet"


def _replace(extractor, detector):
    """Return a copy of ``extractor`` with another ``detector``."""
    extractor = copy.copy(extractor)
    extractor.detector = detector
    return extractor


def _nearest_face(found, index):
    """Return the face of the nearest frame to ``index`` that has one, or None."""
    hits = [i for i, face in enumerate(found) if face is not None]
    if not hits:
        return None
    return found[min(hits, key=lambda i: abs(i - index))]


def _box_transform(centre, side):
    """Affine matrix and side in px of the square of ``side`` px around ``centre``."""
    side_px = max(int(round(side)), 1)
    half = (side_px - 1) / 2
    matrix = np.array([[1.0, 0.0, half - centre[0]], [0.0, 1.0, half - centre[1]]])
    return matrix, side_px


def _similarity(source, target):
    """Least-squares rotation, uniform scale and shift from points to points.

    Returns the 2 x 3 matrix ``[[a, -b, tx], [b, a, ty]]`` that takes the
    ``source`` points nearest to the ``target`` points (no reflection).
    """
    n = len(source)
    x, y = source[:, 0], source[:, 1]
    design = np.zeros((2 * n, 4))
    design[:n] = np.column_stack([x, -y, np.ones(n), np.zeros(n)])
    design[n:] = np.column_stack([y, x, np.zeros(n), np.ones(n)])
    values = np.concatenate([target[:, 0], target[:, 1]])
    (a, b, tx, ty), *_ = np.linalg.lstsq(design, values, rcond=None)
    return np.array([[a, -b, tx], [b, a, ty]])


def _aligned_transform(landmarks, size, margin):
    """Affine matrix and side in px that put 5 landmarks on the template.

    The template is scaled to ``size`` and shrunk towards the centre by
    ``1 + 2 * margin``. The warp then runs at the face's own resolution,
    into a square of that many more pixels, so that the area interpolation of
    :func:`_crop` downsizes it without aliasing.
    """
    target = ((_TEMPLATE - 0.5) / (1 + 2 * margin) + 0.5) * size - 0.5
    matrix = _similarity(np.asarray(landmarks, dtype=np.float64), target)
    scale = float(np.hypot(matrix[0, 0], matrix[1, 0]))
    side_px = max(int(round(size / scale)), size)
    # Pixel (u, v) of the output is pixel (u + 0.5) * k - 0.5 of the warp.
    k = side_px / size
    matrix = matrix * k
    matrix[:, 2] += (k - 1) / 2
    return matrix, side_px


def _crop(frame, matrix, side, size, color):
    """Warp ``frame`` by ``matrix`` into a ``side`` px square, resized to ``size``.

    One affine warp crops, rotates and pads (replicating the border where the
    square leaves the frame); area interpolation then downsizes without
    aliasing.
    """
    import cv2

    patch = cv2.warpAffine(
        frame,
        matrix,
        (side, side),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    interpolation = cv2.INTER_AREA if side > size else cv2.INTER_LINEAR
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
    """Largest frontal face in an RGB frame: ``((x, y, w, h), None)`` or None."""
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
            return (float(x), float(y), float(w), float(h)), None
    return None


@functools.lru_cache(maxsize=1)
def _mtcnn_model():
    """Build the MTCNN detector once per process (several seconds)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    mtcnn = import_optional("mtcnn", "mtcnn", caller="FaceExtractor(detector='mtcnn')")
    import tensorflow as tf

    # mtcnn's own default is the CPU: use a GPU when TensorFlow sees one.
    device = "GPU:0" if tf.config.list_physical_devices("GPU") else "CPU:0"
    return mtcnn.MTCNN(device=device)


def _detect_mtcnn(frame, min_face_size):
    """Largest face by MTCNN: ``((x, y, w, h), landmarks)`` or None.

    ``landmarks`` is the (5, 2) array of the eyes, the nose tip and the mouth
    corners, in the order of :data:`_TEMPLATE`.
    """
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
    # MTCNN's left and right are those of the image, as in the template.
    points = face["keypoints"]
    names = ("left_eye", "right_eye", "nose", "mouth_left", "mouth_right")
    landmarks = np.array([points[name] for name in names], dtype=np.float64)
    return (x, y, w, h), landmarks


# One YuNet detector per thread: setInputSize changes it before each frame, so
# threads (joblib's threading backend) must not share one; a loky worker
# process makes its own on its first file.
_yunet = threading.local()


def _yunet_model(model_file):
    """Return this thread's YuNet detector of ``model_file``, made on first use."""
    import cv2

    if getattr(_yunet, "model_file", None) != model_file:
        _yunet.detector = cv2.FaceDetectorYN.create(
            model_file, "", (320, 320), score_threshold=_YUNET_SCORE
        )
        _yunet.model_file = model_file
    return _yunet.detector


def _detect_yunet(frame, min_face_size, model_file):
    """Largest face by YuNet: ``((x, y, w, h), landmarks)`` or None.

    ``landmarks`` is the (5, 2) array of the eyes, the nose tip and the mouth
    corners, in the order of :data:`_TEMPLATE`.
    """
    import cv2

    image = cv2.cvtColor(frame, cv2.COLOR_RGB2BGR)
    shorter = min(image.shape[:2])
    scale = min(1.0, _YUNET_MIN_FACE / (min_face_size * shorter))
    if scale < 1.0:
        image = cv2.resize(
            image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA
        )
    detector = _yunet_model(model_file)
    detector.setInputSize((image.shape[1], image.shape[0]))
    _, faces = detector.detect(image)
    if faces is None:
        return None
    faces = faces[
        np.maximum(faces[:, 2], faces[:, 3]) >= min_face_size * min(image.shape[:2])
    ]
    if not len(faces):
        return None
    face = faces[np.argmax(faces[:, 2] * faces[:, 3])].astype(np.float64) / scale
    x, y, w, h = (float(v) for v in face[:4])
    return (x, y, w, h), face[4:14].reshape(5, 2)
