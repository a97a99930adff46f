"""Extraction speed against the decode floor, and the cache, on real clips.

Usage::

    python benchmarks/bench_extraction.py [DATA_DIR] [--limit N]

DATA_DIR is a CREMA-D folder (default: $SKMER_TEST_DATA/crema-d, else
../shared/data/crema-d beside the repository). Prints milliseconds per clip
for: merely decoding what each extractor needs (one middle frame; the audio
window), each extractor with n_jobs=1 and 2, and a second, cached transform.
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from skmer.datasets import load_crema_d
from skmer.feature_extraction import FaceExtractor, MFCCExtractor
from skmer.io import load_audio, load_frames, media_info


def _default_root():
    shared = os.environ.get("SKMER_TEST_DATA")
    if shared:
        return Path(shared) / "crema-d"
    return Path(__file__).resolve().parents[2] / "shared" / "data" / "crema-d"


def _timed(function, paths):
    start = time.perf_counter()
    result = function(paths)
    return result, 1000 * (time.perf_counter() - start) / len(paths)


def _decode_frames(paths):
    for path in paths:
        load_frames(path)


def _decode_audio(paths):
    # What MFCCExtractor decodes: the header, then the centred 2.97 s window.
    window = 127 * 512 / 22050
    for path in paths:
        duration = media_info(path).audio_duration or 0.0
        offset = max((duration - window) / 2, 0.0)
        load_audio(path, sr=22050, offset=offset, duration=window + 0.1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default=_default_root())
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    paths = load_crema_d(args.root).paths[: args.limit]
    print(f"{len(paths)} CREMA-D clips from {args.root}; {os.cpu_count()} CPUs\n")

    # Warm up: imports, the Haar cascade, librosa's filter bank.
    FaceExtractor().transform(paths[:2])
    MFCCExtractor().transform(paths[:2])

    rows = []
    _, ms = _timed(_decode_frames, paths)
    rows.append(("decode middle frame (floor)", ms, None))
    face_floor = ms
    _, ms = _timed(_decode_audio, paths)
    rows.append(("decode audio window (floor)", ms, None))
    audio_floor = ms

    for name, make, floor in (
        ("FaceExtractor", FaceExtractor, face_floor),
        ("MFCCExtractor", MFCCExtractor, audio_floor),
    ):
        outputs = {}
        for n_jobs in (1, 2):
            X, ms = _timed(make(n_jobs=n_jobs).transform, paths)
            outputs[n_jobs] = X
            rows.append((f"{name} n_jobs={n_jobs}", ms, ms / floor))
        assert np.array_equal(outputs[1], outputs[2])
        with tempfile.TemporaryDirectory() as cache_dir:
            extractor = make(n_jobs=1, cache_dir=cache_dir)
            X_first, first = _timed(extractor.transform, paths)
            X_again, again = _timed(extractor.transform, paths)
            assert np.array_equal(X_first, X_again)
            rows.append((f"{name} first pass, filling cache", first, first / floor))
            rows.append((f"{name} cached pass", again, again / floor))
            print(f"{name}: cached pass {first / again:.0f}x faster than the first")

    print(f"\n{'step':<44}{'ms/clip':>10}{'x floor':>10}")
    for step, ms, ratio in rows:
        ratio_text = "" if ratio is None else f"{ratio:.2f}"
        print(f"{step:<44}{ms:>10.1f}{ratio_text:>10}")


if __name__ == "__main__":
    main()
