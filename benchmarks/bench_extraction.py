"""Extraction speed against the decode floor, the naive way and the cache.

Usage::

    python benchmarks/bench_extraction.py [DATA_DIR] [--limit N] [--detector D]
    python benchmarks/bench_extraction.py [DATA_DIR] --rss 1000 5000

``--detector`` is FaceExtractor's (default ``auto``: YuNet when its file is
in ``SKMER_MODEL_DIR`` or the data home, else Haar).

DATA_DIR is a CREMA-D folder (default: $SKMER_TEST_DATA/crema-d, else
../shared/data/crema-d beside the repository).

The first form prints, on the same clips, milliseconds per clip and ratios for:

- the decode floor: what the two extractors must decode at the least, by the
  very decoding call each extraction starts with (``_decode``): the header and
  the one middle frame converted to RGB (FaceExtractor's default), plus one
  opening of the file and the 2.97 s audio window resampled to 22.05 kHz
  (MFCCExtractor's default);
- the clips decoded whole (every video frame converted to RGB, the whole
  audio track), which is what "decoding the clips" means without knowing
  which frames the features need;
- skmer: FaceExtractor and MFCCExtractor (defaults) with n_jobs=1 and 2, and
  with n_jobs=1 again with OpenCV's thread pool switched off: OpenCV runs the
  Haar cascade on several threads, so n_jobs=1 already uses part of the
  second core and the 2-worker speed-up is also given against one thread;
- the naive, paper-style way: OpenCV decodes every frame, converts every frame
  to RGB and runs the Haar cascade on every frame (cropping the middle frame's
  face), and the whole audio track is decoded and resampled to 22.05 kHz as
  ``librosa.load`` does (soxr_hq; ``librosa.load`` itself needs an ffmpeg
  binary for ``.flv``), then MFCCs of the whole track;
- a first transform that fills a cache, then the cached re-transform;
- the time projected for the whole CREMA-D (7,442 clips) with 2 workers, and
  the frames in which the detector found a face, over all clips and for the
  actor with the fewest (speed must not cost faces).

Wall times, and the CPU time of the benchmark's own process (which leaves out
joblib workers but also the other processes of a busy machine), with the load
average beside each per-extractor figure.

The second form measures the peak resident memory of one process that
extracts both blocks from N clips: the clips are repeated under new names
(symbolic links in a temporary folder), each run in a fresh interpreter.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from skmer.datasets import load_crema_d
from skmer.feature_extraction import FaceExtractor, MFCCExtractor

TARGETS = {
    "floor": 1.2,  # skmer within 1.2x of the decode floor
    "naive": 15.0,  # at least 15x faster than the naive way
    "cache": 100.0,  # cached pass at least 100x faster than the first
    "workers": 1.7,  # 2 workers at least 1.7x faster than 1
    "corpus_minutes": 6.0,  # all of CREMA-D with 2 workers, in minutes
}

# The whole CREMA-D corpus, for the projection.
CREMA_D_CLIPS = 7442

# FaceExtractor's settings in every run here; main() sets the detector.
FACE = {"on_no_face": "ignore", "detector": "auto"}


def _default_root():
    shared = os.environ.get("SKMER_TEST_DATA")
    if shared:
        return Path(shared) / "crema-d"
    return Path(__file__).resolve().parents[2] / "shared" / "data" / "crema-d"


def _timed(function, paths):
    """Run ``function(paths)``: result, wall and CPU ms per clip (this process).

    The CPU time leaves out other processes (joblib workers, other users of a
    shared machine), so the in-process ratios are steadier than the wall ones.
    """
    start, cpu = time.perf_counter(), time.process_time()
    result = function(paths)
    wall = 1000 * (time.perf_counter() - start) / len(paths)
    return result, wall, 1000 * (time.process_time() - cpu) / len(paths)


def _floor_of(extractor):
    """The decoding an extractor does, and nothing else, on each path.

    Each extractor's ``_decode`` is the very call its extraction starts with:
    FaceExtractor's frames (the header and the middle frame, converted to RGB),
    MFCCExtractor's audio window (one opening of the file; the centred 2.97 s
    window, resampled to 22.05 kHz).
    """

    def decode(paths):
        for path in paths:
            extractor._decode(path)

    return decode


def _decode_floor(paths):
    # What the two extractors decode together.
    _floor_of(FaceExtractor(**FACE))(paths)
    _floor_of(MFCCExtractor())(paths)


def _decode_whole(paths):
    """Decode every clip whole with PyAV: every frame to RGB, all the audio."""
    import av

    for path in paths:
        with av.open(path) as container:
            for frame in container.decode(video=0):
                frame.to_ndarray(format="rgb24")
        with av.open(path) as container:
            for frame in container.decode(audio=0):
                frame.to_ndarray()


def _faces_found(paths):
    """Frames with a face, over all clips and for the actor with the fewest."""
    extractor = FaceExtractor(**FACE).fit(paths)
    found = np.isfinite(extractor.locate_faces(paths)[..., 0])
    actors = np.array([Path(p).name.split("_")[0] for p in paths])
    rates = {a: found[actors == a].mean() for a in np.unique(actors)}
    lowest = min(rates, key=rates.get)
    print(
        f"faces found ({extractor.detector_}): {found.mean():.3f} of "
        f"{found.size} frames; lowest actor {lowest}: {rates[lowest]:.3f} "
        f"({len(rates)} actors)"
    )


def _single_threaded_opencv(function):
    """``function`` with OpenCV's own thread pool off (Haar runs on one core)."""
    import cv2

    def run(paths):
        threads = cv2.getNumThreads()
        cv2.setNumThreads(1)
        try:
            return function(paths)
        finally:
            cv2.setNumThreads(threads)

    return run


def _load():
    return "load " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


def _per_extractor(paths):
    """Each extractor against the decoding it needs, with 1 and 2 workers."""
    print(
        f"\n{'per extractor':<40}{'ms/clip':>9}{'x floor':>9}"
        f"{'CPU ms':>8}{'x floor':>9}  (CPU: this process only)"
    )
    for make in (FaceExtractor, MFCCExtractor):
        name = make.__name__
        params = FACE if make is FaceExtractor else {}
        _, floor, floor_cpu = _timed(_floor_of(make(**params)), paths)
        print(
            f"{name + ' decode floor':<40}{floor:>9.1f}{1:>9.2f}{floor_cpu:>8.1f}"
            f"{1:>9.2f}  {_load()}"
        )
        for n_jobs in (1, 2):
            extractor = make(n_jobs=n_jobs, **params)
            _, ms, cpu = _timed(extractor.transform, paths)
            label = f"{name} n_jobs={n_jobs}"
            cpu_columns = f"{cpu:>8.1f}{cpu / floor_cpu:>9.2f}" if n_jobs == 1 else ""
            print(
                f"{label:<40}{ms:>9.1f}{ms / floor:>9.2f}{cpu_columns:>17}  {_load()}"
            )


def _skmer(n_jobs, cache_dir=None):
    face = FaceExtractor(n_jobs=n_jobs, cache_dir=cache_dir, **FACE)
    audio = MFCCExtractor(n_jobs=n_jobs, cache_dir=cache_dir)

    def extract(paths):
        return np.hstack([face.transform(paths), audio.transform(paths)])

    return extract


def _naive(paths):
    import av
    import cv2
    import librosa

    # The cascade file (OpenCV 5 wheels ship none), found the way skmer does.
    from skmer.feature_extraction._face import _haar_cascade

    cascade = _haar_cascade()
    rows = []
    for path in paths:
        capture = cv2.VideoCapture(path)
        frames, faces = [], []
        while True:
            ok, bgr = capture.read()
            if not ok:
                break
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
            faces.append(cascade.detectMultiScale(gray, 1.1, 5, minSize=(30, 30)))
            frames.append(rgb)
        capture.release()
        middle = len(frames) // 2
        found = faces[middle]
        if len(found):
            x, y, w, h = max(found, key=lambda f: f[2] * f[3])
            crop = frames[middle][y : y + h, x : x + w]
        else:
            crop = frames[middle]
        face = cv2.resize(crop, (64, 64)).astype(np.float32).ravel() / 255
        with av.open(path) as container:
            stream = container.streams.audio[0]
            native = np.concatenate(
                [f.to_ndarray().mean(axis=0) for f in container.decode(stream)]
            )
            rate = stream.codec_context.sample_rate
        y = librosa.resample(native, orig_sr=rate, target_sr=22050, res_type="soxr_hq")
        mfcc = librosa.feature.mfcc(y=y, sr=22050, n_mfcc=40)
        matrix = np.zeros((40, 128), dtype=np.float32)
        matrix[:, : min(128, mfcc.shape[1])] = mfcc[:, :128]
        rows.append(np.concatenate([face, matrix.ravel()]))
    return np.vstack(rows)


def _ratio(value, target, higher_is_better=True):
    met = value >= target if higher_is_better else value <= target
    sign = ">=" if higher_is_better else "<="
    return f"{value:.2f}x (target {sign} {target}x: {'met' if met else 'NOT met'})"


def _speed(paths):
    print(f"{len(paths)} clips; {os.cpu_count()} CPUs; load average before: ", end="")
    print(", ".join(f"{v:.2f}" for v in os.getloadavg()))
    # Warm up: imports, the face detector, the mel filter bank, and the two
    # joblib worker processes (started once, reused by later calls).
    _skmer(1)(paths[:2])
    print(f"detector: {FaceExtractor(**FACE).fit(paths[:1]).detector_}")
    _naive(paths[:1])
    start = time.perf_counter()
    _skmer(2)(paths[:4])
    print(f"one-off start of 2 workers: {time.perf_counter() - start:.1f} s")

    rows = []
    _, floor, floor_cpu = _timed(_decode_floor, paths)
    rows.append(("decode floor (middle frame + audio window)", floor, floor_cpu))
    _, whole, whole_cpu = _timed(_decode_whole, paths)
    rows.append(("decode whole clips (all frames RGB + audio)", whole, whole_cpu))
    X1, one, one_cpu = _timed(_skmer(1), paths)
    rows.append(("skmer extraction, n_jobs=1", one, one_cpu))
    X1s, one_single, one_single_cpu = _timed(_single_threaded_opencv(_skmer(1)), paths)
    rows.append(("  the same, OpenCV on one thread", one_single, one_single_cpu))
    X2, two, _ = _timed(_skmer(2), paths)
    rows.append(("skmer extraction, n_jobs=2", two, None))
    assert np.array_equal(X1, X2, equal_nan=True)
    assert np.array_equal(X1, X1s, equal_nan=True)
    _, naive, naive_cpu = _timed(_naive, paths)
    rows.append(("naive: every frame RGB + Haar, whole audio", naive, naive_cpu))
    with tempfile.TemporaryDirectory() as cache_dir:
        X_first, first, first_cpu = _timed(_skmer(1, cache_dir), paths)
        X_again, again, again_cpu = _timed(_skmer(1, cache_dir), paths)
    assert np.array_equal(X_first, X_again, equal_nan=True)
    rows.append(("skmer first pass, filling the cache", first, first_cpu))
    rows.append(("skmer cached re-transform", again, again_cpu))

    print(
        f"\n{'step':<46}{'ms/clip':>9}{'x floor':>9}{'CPU ms':>8}{'x floor':>9}"
        "  (CPU: this process only)"
    )
    for step, ms, cpu in rows:
        cpu_columns = "" if cpu is None else f"{cpu:>8.1f}{cpu / floor_cpu:>9.2f}"
        print(f"{step:<46}{ms:>9.1f}{ms / floor:>9.2f}{cpu_columns}")
    print()
    print("extraction / decode floor:  ", _ratio(one / floor, TARGETS["floor"], False))
    print(
        "  the same in CPU time:     ",
        _ratio(one_cpu / floor_cpu, TARGETS["floor"], False),
    )
    print("extraction / whole decode:  ", _ratio(one / whole, TARGETS["floor"], False))
    print("naive / extraction:         ", _ratio(naive / one, TARGETS["naive"]))
    print("first / cached pass:        ", _ratio(first / again, TARGETS["cache"]))
    print("n_jobs=1 / n_jobs=2:        ", _ratio(one / two, TARGETS["workers"]))
    print(
        "  n_jobs=1 on one thread:   ",
        _ratio(one_single / two, TARGETS["workers"]),
        f"(OpenCV's threads make n_jobs=1 use {one_cpu / one:.2f} cores)",
    )
    minutes = two * CREMA_D_CLIPS / 60_000
    met = minutes <= TARGETS["corpus_minutes"]
    print(
        f"all {CREMA_D_CLIPS} CREMA-D clips, n_jobs=2: {minutes:.1f} min projected "
        f"(target <= {TARGETS['corpus_minutes']:g} min: {'met' if met else 'NOT met'})"
    )
    _faces_found(paths)
    _per_extractor(paths)
    print("load average after: " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))


_RSS_CHILD = """
import resource, sys, time
from pathlib import Path
from skmer.feature_extraction import FaceExtractor, MFCCExtractor
paths = sorted(str(p) for p in Path(sys.argv[1]).iterdir())
FaceExtractor(on_no_face="ignore").transform(paths[:1])
MFCCExtractor().transform(paths[:1])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
A = FaceExtractor(on_no_face="ignore", cache_dir=sys.argv[2]).transform(paths)
B = MFCCExtractor(cache_dir=sys.argv[2]).transform(paths)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(base, peak, (A.nbytes + B.nbytes) // 1024, max(A.nbytes, B.nbytes) // 1024,
      seconds)
"""


def _rss(paths, counts):
    print("Peak RSS, one process, FaceExtractor then MFCCExtractor (defaults),")
    print(f"with a cache, over N names repeating {len(paths)} clips:\n")
    print(
        f"{'N':>6}{'baseline MiB':>14}{'peak MiB':>10}{'growth MiB':>12}"
        f"{'outputs MiB':>13}{'s/clip':>8}"
    )
    for count in counts:
        with tempfile.TemporaryDirectory() as folder:
            clips = Path(folder) / "clips"
            clips.mkdir()
            for i in range(count):
                source = paths[i % len(paths)]
                os.symlink(source, clips / f"{i:05d}{Path(source).suffix}")
            result = subprocess.run(
                [sys.executable, "-c", _RSS_CHILD, clips, Path(folder) / "cache"],
                capture_output=True,
                text=True,
                check=True,
            )
        base, peak, outputs, _, seconds = result.stdout.split()
        base, peak, outputs = int(base), int(peak), int(outputs)
        print(
            f"{count:>6}{base / 1024:>14.0f}{peak / 1024:>10.0f}"
            f"{(peak - base) / 1024:>12.0f}{outputs / 1024:>13.0f}"
            f"{float(seconds) / count:>8.3f}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default=_default_root())
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--rss", type=int, nargs="*", default=None)
    parser.add_argument(
        "--detector",
        choices=["auto", "yunet", "haar", "mtcnn"],
        default="auto",
        help="FaceExtractor's detector (auto: YuNet if its file is present)",
    )
    args = parser.parse_args()
    FACE["detector"] = args.detector
    paths = [str(p) for p in load_crema_d(args.root).paths[: args.limit]]
    print(f"CREMA-D clips from {args.root}")
    if args.rss:
        _rss(paths, args.rss)
    else:
        _speed(paths)


if __name__ == "__main__":
    main()
