"""Prediction throughput: extraction and the network, batched and per clip.

A pipeline of the recommended preset (``make_emotion_pipeline``) is trained
for a few epochs on the CREMA-D clips (throughput does not depend on how well
it learnt), saved with ``skmer.save_model`` and loaded back. Then, on N paths
(the clips repeated under new names, symbolic links in a temporary folder, so
that nothing is cached), it prints clips per second of:

- extraction, ``pipeline[:-1].transform`` with 1 and 2 workers;
- the network, ``pipeline[-1].predict_proba`` on the N rows at once, against
  the naive way, one call per clip (the first 100), and the first call after
  loading against the second (building the network is not repeated per
  call);
- ``skmer predict`` on the N files, end to end in a new process (start-up,
  loading the model, extraction, network, one printed line per file).

Usage::

    python benchmarks/bench_prediction.py [--data DIR] [-n 1000] [--n-jobs 2]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import skmer
from skmer.datasets import load_crema_d
from skmer.pipeline import make_emotion_pipeline

DEFAULT_DATA = Path(
    os.environ.get("SKMER_TEST_DATA")
    or Path(__file__).resolve().parents[2] / "shared" / "data"
)


def _timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def _names(paths, n, folder):
    """``n`` new names for ``paths``, repeated in turn (symbolic links)."""
    links = []
    for i in range(n):
        source = Path(paths[i % len(paths)])
        link = Path(folder) / f"{i:05d}_{source.name}"
        link.symlink_to(source)
        links.append(str(link))
    return links


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("-n", type=int, default=1000, help="paths to predict")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args(argv)

    data = load_crema_d(args.data / "crema-d")
    print(
        f"{len(data.paths)} CREMA-D clips, {args.n} paths to predict; "
        f"{os.cpu_count()} CPU cores; load average "
        + ", ".join(f"{v:.2f}" for v in os.getloadavg())
    )
    with tempfile.TemporaryDirectory() as scratch:
        pipeline = make_emotion_pipeline(epochs=args.epochs, random_state=0)
        _, seconds = _timed(pipeline.fit, list(data.paths), data.target)
        print(f"trained for {args.epochs} epochs in {seconds:.0f} s")
        model = Path(scratch) / "model.skmer"
        skmer.save_model(pipeline, model)
        pipeline = skmer.load_model(model)
        folder = Path(scratch) / "clips"
        folder.mkdir()
        paths = _names(data.paths, args.n, folder)
        face = [v for v in pipeline.get_params().values() if hasattr(v, "detector_")]
        print(f"detector: {face[0].detector_}\n")

        rows = []
        for n_jobs in (1, args.n_jobs):
            pipeline.set_params(
                **{
                    name: n_jobs
                    for name in pipeline.get_params()
                    if name.endswith("__n_jobs") and "classifier" not in name
                }
            )
            X, seconds = _timed(pipeline[:-1].transform, paths)
            rows.append((f"extraction, n_jobs={n_jobs}", len(paths), seconds))
        clf = pipeline[-1]
        again = skmer.load_model(model)[-1]
        _, first = _timed(again.predict_proba, X[:1])
        _, second = _timed(again.predict_proba, X[:1])
        rows.append(("network, first call after loading", 1, first))
        rows.append(("network, second call", 1, second))
        _, seconds = _timed(clf.predict_proba, X)
        rows.append(("network, all rows in one call", len(X), seconds))
        k = min(100, len(X))
        _, seconds = _timed(lambda: [clf.predict_proba(X[i : i + 1]) for i in range(k)])
        rows.append(("network, one call per clip (naive)", k, seconds))

        command = [
            sys.executable,
            "-m",
            "skmer",
            "predict",
            *paths,
            "--model",
            str(model),
            "--n-jobs",
            str(args.n_jobs),
            "--quiet",
        ]
        result, seconds = _timed(
            lambda: subprocess.run(command, capture_output=True, text=True)
        )
        assert result.returncode == 0, result.stderr[-2000:]
        assert len(result.stdout.splitlines()) == len(paths)
        rows.append(
            (f"skmer predict, n_jobs={args.n_jobs}, end to end", len(paths), seconds)
        )

    print(f"{'step':<48}{'clips':>7}{'seconds':>9}{'clips/s':>10}")
    for step, n, seconds in rows:
        print(f"{step:<48}{n:>7}{seconds:>9.2f}{n / seconds:>10.1f}")
    batched = rows[4][1] / rows[4][2]
    naive = rows[5][1] / rows[5][2]
    print(f"\nnetwork, batched / per clip: {batched / naive:.0f}x")


if __name__ == "__main__":
    main()
