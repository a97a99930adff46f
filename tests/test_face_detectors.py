"""FaceExtractor's YuNet detector and the landmark alignment of its crops."""

import os
import pickle
import re
import warnings

import numpy as np
import pytest

from skmer.datasets import _models
from skmer.exceptions import MissingModelFileWarning, NoFaceDetectedWarning
from skmer.feature_extraction import FaceExtractor, _face
from skmer.io import load_frames

YUNET = _models.MODEL_FILES["yunet"].filename


@pytest.fixture
def yunet_url(repository_server, monkeypatch):
    """The registry's YuNet URL, on the loopback server (which has no file)."""
    entry = _models.MODEL_FILES["yunet"]
    url = repository_server.url + "models/" + entry.filename
    monkeypatch.setitem(_models.MODEL_FILES, "yunet", entry._replace(url=url))
    return url


def _yunet_faces(image, model_dir):
    """Every face YuNet finds in an RGB image at full resolution (N x 15)."""
    import cv2

    height, width = image.shape[:2]
    detector = cv2.FaceDetectorYN.create(str(model_dir / YUNET), "", (width, height))
    _, faces = detector.detect(cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    return np.empty((0, 15)) if faces is None else faces


def _iou(a, b):
    x1, y1 = max(a[0], b[0]), max(a[1], b[1])
    x2, y2 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(x2 - x1, 0) * max(y2 - y1, 0)
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def _eye_angle(landmarks):
    """Angle in degrees of the line from the image-left eye to the other."""
    (x1, y1), (x2, y2) = landmarks[0], landmarks[1]
    return float(np.degrees(np.arctan2(y2 - y1, x2 - x1)))


# --------------------------------------------------------------------------
# Real media


@pytest.mark.dataset
def test_yunet_finds_the_face_haar_misses(shared_data, model_dir):
    path = str(shared_data / "crema-d" / "VideoFlash" / "1032_IEO_SAD_HI.flv")
    # Haar misses this face (dark skin on a green screen) in most frames.
    haar = FaceExtractor(n_frames=5, detector="haar").locate_faces([path])[0]
    assert np.isnan(haar[:, 0]).sum() >= 3
    boxes = FaceExtractor(n_frames=5, detector="yunet").locate_faces([path])[0]
    assert not np.isnan(boxes).any()
    x, y, w, h = boxes.T
    assert np.all((140 < x + w / 2) & (x + w / 2 < 300) & (60 < y + h / 2))
    assert np.all((y + h / 2 < 180) & (w > 80))


@pytest.mark.dataset
def test_yunet_box_on_a_single_face(shared_data, model_dir):
    path = str(shared_data / "faces" / "single_face.jpg")
    box = FaceExtractor(detector="yunet").locate_faces([path])[0, 0]
    # Another detector agrees on where the face is.
    haar = FaceExtractor().locate_faces([path])[0, 0]
    assert _iou(box, haar) > 0.5
    # Detection on a downscaled frame, then scaled back: the box of a
    # full-resolution run.
    (full,) = _yunet_faces(load_frames(path)[0], model_dir)
    assert _iou(box, full[:4]) > 0.85


@pytest.mark.dataset
def test_yunet_takes_the_largest_of_several_faces(shared_data, model_dir):
    path = str(shared_data / "faces" / "multi_face.jpg")
    # A group picture: faces are small, so lower the size floor.
    box = FaceExtractor(detector="yunet", min_face_size=0.05).locate_faces([path])
    faces = _yunet_faces(load_frames(path)[0], model_dir)
    assert len(faces) >= 2
    largest = faces[np.argmax(faces[:, 2] * faces[:, 3]), :4]
    assert _iou(box[0, 0], largest) > 0.7


def _rotate(image, degrees, centre):
    import cv2

    matrix = cv2.getRotationMatrix2D(centre, degrees, 1.0)
    size = image.shape[1::-1]
    return cv2.warpAffine(image, matrix, size, borderMode=cv2.BORDER_REPLICATE)


def _blue_dots(crop):
    """Centroids of the blue pixels in the left and the right half of a crop."""
    crop = crop.astype(int)
    blue = (crop[..., 2] > 150) & (crop[..., 0] < 100) & (crop[..., 1] < 120)
    rows, cols = np.nonzero(blue)
    halves = (cols < crop.shape[1] / 2, cols >= crop.shape[1] / 2)
    assert all(half.any() for half in halves), "an eye marker left the crop"
    return np.array([(cols[h].mean(), rows[h].mean()) for h in halves])


# The tilt that alignment must undo, and how much of it may remain, in
# degrees. YuNet's landmarks follow only part of an in-plane rotation (about
# half here; see the user guide), MTCNN's follow it closely.
TILTS = {"yunet": (10, 0.7), "mtcnn": (20, 0.2)}


@pytest.mark.dataset
@pytest.mark.parametrize("detector", ["yunet", "mtcnn"])
@pytest.mark.parametrize("sign", [1, -1])
def test_alignment_levels_the_eyes(detector, sign, shared_data, model_dir, tmp_path):
    import cv2

    if detector == "mtcnn":
        pytest.importorskip("mtcnn")
    image = load_frames(shared_data / "faces" / "single_face.jpg")[0].copy()
    (face,) = _yunet_faces(image, model_dir)
    eyes = face[4:8].reshape(2, 2)
    # An upright face, whose eye centres get small blue markers: they turn
    # with the image, so they show where the eyes went in a crop.
    assert abs(_eye_angle(eyes)) < 2
    for x, y in eyes:
        cv2.circle(image, (int(round(x)), int(round(y))), 2, (0, 0, 255), -1)
    path = str(tmp_path / "face.png")
    x, y, w, h = face[:4]
    centre = (float(x + w / 2), float(y + h / 2))
    tilt, remains = TILTS[detector]
    angles = {}
    for degrees in (0, sign * tilt):
        cv2.imwrite(
            path, cv2.cvtColor(_rotate(image, degrees, centre), cv2.COLOR_RGB2BGR)
        )
        for align in (True, False):
            extractor = FaceExtractor(112, detector=detector, align=align)
            crop = extractor.transform([path]).reshape(112, 112, 3)
            markers = _blue_dots((crop * 255).round())
            angles[degrees, align] = _eye_angle(markers)
            if align and degrees == 0:
                # The eyes sit where the template puts them (the markers
                # are at YuNet's eye centres; MTCNN places eyes a little
                # differently).
                expected = _face._TEMPLATE[:2] * 112 - 0.5
                atol = 3 if detector == "yunet" else 6
                np.testing.assert_allclose(markers, expected, atol=atol)
    # Unaligned, the crop keeps the tilt (counter-clockwise is negative in
    # the image's y-down coordinates).
    assert angles[sign * tilt, False] == pytest.approx(-sign * tilt, abs=1.5)
    # Aligned, the upright face's eyes are level (to the few degrees by which
    # the detectors' eye landmarks disagree), and the tilt is undone: all of
    # it with MTCNN, part of it with YuNet.
    assert abs(angles[0, True]) < 5
    assert abs(angles[sign * tilt, True] - angles[0, True]) < remains * tilt + 1


@pytest.mark.dataset
def test_aligned_crop_of_a_frame_without_face_borrows_the_nearest(
    shared_data, model_dir
):
    # face_noface.mov: a face, then none; the faceless frames are aligned
    # with the landmarks of the nearest frame with a face.
    path = str(shared_data / "faces" / "face_noface.mov")
    extractor = FaceExtractor(32, n_frames=4, detector="yunet", on_no_face="ignore")
    boxes = extractor.locate_faces([path])[0]
    missed = np.isnan(boxes[:, 0])
    if not missed.any() or missed.all():
        pytest.skip("the clip no longer has frames with and without a face")
    crops = extractor.transform([path]).reshape(4, 32, 32, 3)
    frames = load_frames(path, n_frames=4)
    nearest = np.flatnonzero(~missed)
    for i in np.flatnonzero(missed):
        j = nearest[np.argmin(np.abs(nearest - i))]
        landmarks = _face._detect_yunet(frames[j], 0.2, os.fspath(model_dir / YUNET))[1]
        matrix, side = _face._aligned_transform(landmarks, 32, 0.0)
        expected = _face._crop(frames[i], matrix, side, 32, "rgb") / np.float32(255)
        np.testing.assert_allclose(crops[i], expected, atol=1e-6)


# --------------------------------------------------------------------------
# The model file, workers and state


def test_missing_model_file_names_it_at_transform_time(
    tiny_video, yunet_url, tmp_path, monkeypatch
):
    # No copy anywhere and a download that fails: the registry's message.
    monkeypatch.setenv("SKMER_MODEL_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("SKMER_DATA", str(tmp_path / "home"))
    extractor = FaceExtractor(detector="yunet")
    extractor.fit([tiny_video])
    message = (
        f"The pretrained model file {YUNET!r} (YuNet face detector with 5 "
        f"landmarks (OpenCV Zoo, 2023mar)) is not available: not in "
        f"{str(tmp_path / 'empty')!r}; "
    )
    for call in (extractor.transform, extractor.locate_faces):
        with pytest.raises(FileNotFoundError, match=re.escape(message)) as caught:
            call([tiny_video])
        assert "SKMER_MODEL_DIR environment variable" in str(caught.value)
        assert f"Download it from {yunet_url}" in str(caught.value)


def test_auto_without_the_yunet_file_uses_haar_and_says_how_to_get_it(
    tiny_video, yunet_url, repository_server, tmp_path, monkeypatch
):
    monkeypatch.setenv("SKMER_MODEL_DIR", str(tmp_path / "empty"))
    haar = FaceExtractor(16, detector="haar", on_no_face="ignore")
    auto = FaceExtractor(16, on_no_face="ignore", cache_dir=tmp_path / "cache")
    assert auto.detector == "auto"
    for call in ("transform", "locate_faces"):
        with pytest.warns(MissingModelFileWarning) as caught:
            got = getattr(auto, call)([tiny_video])
        np.testing.assert_array_equal(got, getattr(haar, call)([tiny_video]))
        message = str(caught[0].message)
        assert message.startswith(
            "FaceExtractor(detector='auto') uses OpenCV's Haar cascade: the YuNet "
            "face detector's file is not in SKMER_MODEL_DIR or the data home."
        )
        assert "skmer fetch-model yunet" in message and "detector='haar'" in message
        assert caught[0].filename == __file__
    # 'auto' never downloads: a transform must not reach the network.
    assert repository_server.requests == []
    assert auto.detector == "auto"


@pytest.mark.dataset
def test_auto_uses_yunet_when_its_file_is_here(
    shared_data, model_dir, tmp_path, opened, monkeypatch
):
    path = str(shared_data / "crema-d" / "VideoFlash" / "1032_IEO_SAD_HI.flv")
    settings = {"size": 32, "n_frames": 2, "on_no_face": "ignore"}
    cache = tmp_path / "cache"
    with monkeypatch.context() as patch:
        # First without the file: Haar crops, cached under 'haar'.
        patch.setenv("SKMER_MODEL_DIR", str(tmp_path / "empty"))
        with pytest.warns(MissingModelFileWarning):
            before = FaceExtractor(**settings, cache_dir=cache).transform([path])
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingModelFileWarning)
        auto = FaceExtractor(**settings, cache_dir=cache).transform([path])
    yunet = FaceExtractor(**settings, detector="yunet").transform([path])
    haar = FaceExtractor(**settings, detector="haar").transform([path])
    # With the file, 'auto' is YuNet: the Haar entry of the cache is not reused.
    np.testing.assert_array_equal(auto, yunet)
    np.testing.assert_array_equal(before, haar)
    assert not np.array_equal(auto, haar)
    # The entries are those of the detector used: an explicit one decodes nothing.
    opened.clear()
    for detector in ("haar", "yunet"):
        FaceExtractor(**settings, detector=detector, cache_dir=cache).transform([path])
    assert opened == {}


@pytest.mark.dataset
def test_fit_keeps_what_auto_chose(
    shared_data, model_dir, yunet_url, tmp_path, monkeypatch
):
    import skmer

    path = str(shared_data / "crema-d" / "VideoFlash" / "1032_IEO_SAD_HI.flv")
    settings = {"size": 32, "on_no_face": "ignore"}
    # Fitted where the file is: YuNet, also after a save and a load.
    on_yunet = skmer.load_model(
        _saved(FaceExtractor(**settings).fit([path]), tmp_path / "yunet.skmer")
    )
    assert on_yunet.detector_ == "yunet" and on_yunet.detector == "auto"
    expected = FaceExtractor(**settings, detector="yunet").transform([path])
    np.testing.assert_array_equal(on_yunet.transform([path]), expected)
    with monkeypatch.context() as patch:
        patch.setenv("SKMER_MODEL_DIR", str(tmp_path / "empty"))
        # Fitted where it is not: Haar, warned once, at fit.
        with pytest.warns(MissingModelFileWarning) as caught:
            on_haar = FaceExtractor(**settings).fit([path])
        assert len(caught) == 1 and on_haar.detector_ == "haar"
        # Moved to a machine without the file, the YuNet model says so.
        message = re.escape(f"Download it from {yunet_url}")
        with pytest.raises(FileNotFoundError, match=message):
            on_yunet.transform([path])
    # Moved to a machine with the file, the Haar model keeps Haar.
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingModelFileWarning)
        got = on_haar.transform([path])
    expected = FaceExtractor(**settings, detector="haar").transform([path])
    np.testing.assert_array_equal(got, expected)


def _saved(estimator, path):
    import skmer

    skmer.save_model(estimator, path)
    return path


@pytest.mark.dataset
def test_yunet_in_two_worker_processes(shared_data, model_dir):
    folder = shared_data / "crema-d" / "VideoFlash"
    paths = [str(folder / f"10{n:02d}_IEO_ANG_HI.flv") for n in (5, 32, 41, 56)]
    serial = FaceExtractor(32, n_frames=2, detector="yunet")
    parallel = FaceExtractor(32, n_frames=2, detector="yunet", n_jobs=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", NoFaceDetectedWarning)
        expected = serial.transform(paths)
        np.testing.assert_array_equal(parallel.transform(paths), expected)


@pytest.mark.dataset
def test_one_detector_per_thread_and_no_state_on_the_extractor(shared_data, model_dir):
    path = str(shared_data / "faces" / "single_face.jpg")
    extractor = FaceExtractor(16, detector="yunet")
    state = dict(vars(extractor))
    extractor.transform([path])
    detector = _face._yunet.detector
    extractor.locate_faces([path, path])
    assert _face._yunet.detector is detector
    # Nothing of the run stays on the extractor: it pickles and clones as new.
    assert vars(extractor) == state
    again = pickle.loads(pickle.dumps(extractor))
    np.testing.assert_array_equal(again.transform([path]), extractor.transform([path]))
    assert not extractor.__sklearn_tags__().non_deterministic


def test_similarity_recovers_a_known_transform(rng):
    points = rng.uniform(0, 100, size=(5, 2))
    angle, scale, shift = np.radians(25), 0.4, np.array([12.0, -7.0])
    a, b = scale * np.cos(angle), scale * np.sin(angle)
    moved = points @ np.array([[a, b], [-b, a]]) + shift
    np.testing.assert_allclose(
        _face._similarity(points, moved), [[a, -b, 12.0], [b, a, -7.0]], atol=1e-9
    )


def test_aligned_crop_puts_the_landmarks_on_the_template():
    # An image whose only features are 5 dots at the landmarks of a tilted,
    # enlarged face: the aligned crop has them where the template says, in
    # pixel coordinates, at every crop size (OpenCV Zoo's at size=112).
    import cv2

    template = _face._TEMPLATE * 112 - 0.5
    angle = np.radians(-30)
    rotation = np.array(
        [[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]
    )
    landmarks = (template - 56) @ rotation.T * 2.5 + [300.3, 240.7]
    image = np.zeros((480, 640, 3), dtype=np.uint8)
    for x, y in landmarks:
        # Sub-pixel centres (4 fractional bits), antialiased.
        centre = (int(round(16 * x)), int(round(16 * y)))
        cv2.circle(image, centre, 6 * 16, (255, 255, 255), -1, cv2.LINE_AA, 4)
    for size in (56, 112, 224):
        matrix, side = _face._aligned_transform(landmarks, size, 0.0)
        crop = _face._crop(image, matrix, side, size, "gray")[..., 0].astype(float)
        r = max(size // 14, 3)
        for x, y in _face._TEMPLATE * size - 0.5:
            # Centroid of the dot around each expected place.
            x0, y0 = int(round(x)) - r, int(round(y)) - r
            patch = crop[y0 : y0 + 2 * r + 1, x0 : x0 + 2 * r + 1]
            yy, xx = np.mgrid[y0 : y0 + 2 * r + 1, x0 : x0 + 2 * r + 1]
            total = patch.sum()
            centroid = (patch * xx).sum() / total, (patch * yy).sum() / total
            np.testing.assert_allclose(centroid, (x, y), atol=0.15 * size / 112)
