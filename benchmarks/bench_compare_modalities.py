"""compare_modalities on the 180 CREMA-D IEO clips, next to the human raters.

Fits face-only, audio-only and fusion DualStreamClassifier pipelines
(``--config``, the recommended preset by default, as in bench_accuracy.py)
on the same 5 speaker-independent folds (StratifiedGroupKFold by actor),
then prints the mean +- std of each metric, the tests of fusion against each
unimodal model, and the models next to the CREMA-D human raters of each
modality on the same clips (from summaryTable.csv).

Usage::

    nice python benchmarks/bench_compare_modalities.py [--out results.csv]

Measured once (seed 0, recommended preset; about 33 minutes, feature
extraction included, on 2 CPU cores shared with other jobs), accuracy mean
+- std over the 5 folds: face 0.817 +- 0.032, audio 0.800 +- 0.060, fusion
0.900 +- 0.054 (macro-F1 0.816, 0.796, 0.901). Fusion against face:
corrected t-test p = 0.166, McNemar p = 0.021; against audio: p = 0.016 and
0.0013. Human raters on the same 180 clips (majority vote, six choices):
face 0.794, voice 0.500, audio-visual 0.767.
"""

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from skmer.datasets import load_crema_d
from skmer.evaluation import compare_modalities

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_accuracy import DEFAULT_CACHE, DEFAULT_DATA, make_model  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument(
        "--config", default="recommended", choices=["paper", "recommended"]
    )
    parser.add_argument("--n-splits", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="CSV of per-fold scores")
    args = parser.parse_args(argv)

    data = load_crema_d(args.data / "crema-d", sentences="IEO", intensities="HI")
    frame = pd.DataFrame({"path": data.paths})
    y, groups = np.asarray(data.target), np.asarray(data.groups)
    model = make_model(args.config, "both", args.cache_dir, args.seed)
    votes = data.frame if "face_vote" in data.frame else None
    result = compare_modalities(
        model,
        frame,
        y,
        groups=groups,
        cv=args.n_splits,
        human_votes=votes,
        random_state=args.seed,
        verbose=1,
    )
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(result.summary.round(3).to_string(index=False))
        print(result.tests.round(4).to_string(index=False))
        if result.human is not None:
            print(result.human.round(3).to_string(index=False))
    if args.out is not None:
        result.scores.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
