"""Shared fixtures: seeded randomness, decode counting, and the real-data root."""

import collections
import contextlib
import os
from pathlib import Path

import numpy as np
import pytest

# Real recordings live outside the repository (never copied in). Point
# SKMER_TEST_DATA at them, or keep the team's shared/data folder beside the repo.
_DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
SHARED_DATA = Path(os.environ.get("SKMER_TEST_DATA", _DEFAULT_SHARED))


def pytest_collection_modifyitems(config, items):
    if SHARED_DATA.is_dir():
        return
    skip = pytest.mark.skip(reason=f"real recordings not found at {SHARED_DATA}")
    for item in items:
        if "dataset" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def shared_data():
    """Root of the real recordings; tests using it carry the dataset marker."""
    return SHARED_DATA


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture
def opened(monkeypatch):
    """Counter of the files skmer.io opens, by path."""
    import skmer.io

    counts = collections.Counter()
    original = skmer.io._open_container

    @contextlib.contextmanager
    def counting(path):
        counts[os.fspath(path)] += 1
        with original(path) as container:
            yield container

    monkeypatch.setattr(skmer.io, "_open_container", counting)
    return counts
