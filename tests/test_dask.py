"""Extraction and grid search on a real Dask cluster, through joblib's backend.

Skipped unless dask and distributed are installed (``pip install
skmer[dask]``). No mocks: a ``distributed.LocalCluster`` with two worker
processes runs the work, sharing a cache folder with the test process.
"""

import contextlib
import glob
import os

import numpy as np
import pytest

pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")

import joblib  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV, GroupKFold  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skmer.datasets import make_synthetic_clips  # noqa: E402
from skmer.feature_extraction import FaceExtractor, MFCCExtractor  # noqa: E402


@contextlib.contextmanager
def _two_workers():
    """Run joblib's work on a local cluster of two worker processes.

    Yields the task stream, whose ``data`` names the worker of each task.
    """
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
        distributed.get_task_stream(client) as tasks,
        joblib.parallel_config(backend="dask"),
    ):
        yield tasks


def _search(cache_dir, n_jobs):
    pipeline = make_pipeline(
        MFCCExtractor(13, n_frames=32, cache_dir=cache_dir),
        StandardScaler(),
        LogisticRegression(max_iter=200),
    )
    return GridSearchCV(
        pipeline,
        {"logisticregression__C": [0.01, 1.0]},
        cv=GroupKFold(n_splits=2),
        n_jobs=n_jobs,
    )


@pytest.mark.slow
def test_extraction_and_search_on_a_local_dask_cluster(tmp_path):
    data = make_synthetic_clips(
        tmp_path / "clips",
        n_actors=4,
        n_clips_per_emotion=1,
        duration=1.0,
        frame_size=(160, 120),
    )
    paths = list(data.paths)
    face = FaceExtractor(size=16, on_no_face="ignore")
    audio = MFCCExtractor(13, n_frames=32)
    local_face = face.transform(paths)
    local_audio = audio.transform(paths)
    local_search = _search(None, None).fit(paths, data.target, groups=data.groups)

    cache_dir = str(tmp_path / "shared cache")
    with _two_workers() as tasks:
        X_face = face.set_params(n_jobs=-1, cache_dir=cache_dir).transform(paths)
        X_audio = audio.set_params(n_jobs=-1, cache_dir=cache_dir).transform(paths)
        search = _search(cache_dir, -1).fit(paths, data.target, groups=data.groups)
    workers = {task["worker"] for task in tasks.data}
    # The work ran on both worker processes, not in this one.
    assert len(workers) == 2
    np.testing.assert_array_equal(X_face, local_face)
    np.testing.assert_array_equal(X_audio, local_audio)
    assert search.best_params_ == local_search.best_params_
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"],
        local_search.cv_results_["mean_test_score"],
    )
    # The workers filled the shared cache: every clip is there once per
    # extractor setting, and reading it back needs no cluster.
    entries = glob.glob(os.path.join(cache_dir, "*", "*.features"))
    assert len(entries) == 2 * len(paths)
    np.testing.assert_array_equal(
        MFCCExtractor(13, n_frames=32, cache_dir=cache_dir).transform(paths),
        local_audio,
    )


@pytest.mark.slow
def test_compare_modalities_folds_on_a_local_dask_cluster():
    # The stand-in classifier and data of test_compare (tests/ is on the path).
    from test_compare import _CASES, _assert_same_result

    local = _CASES["cv"](n_jobs=1)
    with _two_workers() as tasks:
        result = _CASES["cv"](n_jobs=-1)
    workers = {task["worker"] for task in tasks.data}
    # The folds were fitted on both worker processes, with the same results.
    assert len(workers) == 2
    _assert_same_result(result, local)
