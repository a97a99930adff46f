"""The cost of the feature cache's keys against decoding the clips.

Usage::

    python benchmarks/bench_cache_key.py [DATA_DIR] [--limit N] [--repeats R]

DATA_DIR is a CREMA-D folder (default: $SKMER_TEST_DATA/crema-d, else
../shared/data/crema-d beside the repository).

On the same clips, prints milliseconds per clip for:

- ``cache_key='stat'`` (the default): the key of one clip from its absolute
  path, size and modification time (one ``stat``);
- ``cache_key='content'``: the key from a BLAKE2b hash of the clip's bytes
  (one ``stat``, then the whole file read and hashed), with the clips' mean
  size and the hashing speed;
- decoding: what the two extractors decode at the least with their defaults
  (the header and the middle frame converted to RGB, plus the 2.97 s audio
  window resampled to 22.05 kHz), which every cache miss costs;
- a cached re-transform of both extractors (defaults) with each key: the
  whole cost of a second pass, lookup, checksum and copy included.

The keys and the cached re-transforms are the best of R runs; the files are
read once beforehand, so they are in the page cache, as they are on the
second pass of a cached run (a first read from a cold disk costs the read
itself, which decoding pays too).
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from skmer.datasets import load_crema_d
from skmer.feature_extraction import FaceExtractor, MFCCExtractor

# The cache itself, whose key this script times, has no public name.
from skmer.feature_extraction._cache import FeatureCache


def _default_root():
    shared = os.environ.get("SKMER_TEST_DATA")
    if shared:
        return Path(shared) / "crema-d"
    return Path(__file__).resolve().parents[2] / "shared" / "data" / "crema-d"


def _ms_per_clip(function, paths, repeats=1):
    """Best wall time of ``repeats`` runs of ``function(paths)``, ms per clip."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function(paths)
        best = min(best, time.perf_counter() - start)
    return 1000 * best / len(paths)


def _keys(key, cache_dir):
    cache = FeatureCache(cache_dir, {"extractor": "Bench"}, key=key)

    def run(paths):
        for path in paths:
            cache.entry(path)

    return run


def _decode(paths):
    # Each extractor's _decode is the very call its extraction starts with.
    face, audio = FaceExtractor(), MFCCExtractor()
    for path in paths:
        face._decode(path)
        audio._decode(path)


def _extractors(key, cache_dir):
    face = FaceExtractor(on_no_face="ignore", cache_dir=cache_dir, cache_key=key)
    audio = MFCCExtractor(cache_dir=cache_dir, cache_key=key)

    def run(paths):
        return np.hstack([face.transform(paths), audio.transform(paths)])

    return run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default=_default_root())
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    paths = [str(p) for p in load_crema_d(args.root).paths[: args.limit]]
    size = np.mean([os.path.getsize(path) for path in paths])
    print(f"{len(paths)} CREMA-D clips from {args.root}, {size / 1024:.0f} KiB mean")
    print(
        f"{os.cpu_count()} CPUs; load average "
        + ", ".join(f"{v:.2f}" for v in os.getloadavg())
    )
    for path in paths:
        Path(path).read_bytes()

    with tempfile.TemporaryDirectory() as folder:
        stat = _ms_per_clip(_keys("stat", folder), paths, args.repeats)
        content = _ms_per_clip(_keys("content", folder), paths, args.repeats)
        _decode(paths[:2])  # imports and codec set-up
        decode = _ms_per_clip(_decode, paths)
        cached = {}
        for key in ("stat", "content"):
            cache_dir = os.path.join(folder, key)
            X = _extractors(key, cache_dir)(paths)
            again = _extractors(key, cache_dir)
            assert np.array_equal(again(paths), X, equal_nan=True)
            cached[key] = _ms_per_clip(again, paths, args.repeats)

    rows = [
        ("key: cache_key='stat' (path, size, mtime)", stat),
        ("key: cache_key='content' (BLAKE2b of the bytes)", content),
        ("decoding (middle frame + audio window)", decode),
        ("cached re-transform, cache_key='stat'", cached["stat"]),
        ("cached re-transform, cache_key='content'", cached["content"]),
    ]
    print(f"\n{'step':<50}{'ms/clip':>9}{'x decoding':>12}")
    for step, ms in rows:
        print(f"{step:<50}{ms:>9.3f}{ms / decode:>12.4f}")
    print(
        f"\nhashing speed: {size / 2**20 / (content / 1000):.0f} MiB/s; "
        f"the content key costs {decode / content:.0f} times less than decoding."
    )
    print("load average after: " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
