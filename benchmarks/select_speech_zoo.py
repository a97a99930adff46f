"""Choose speech zoo settings by nested, speaker-grouped cross-validation.

Each candidate is a set of extra options of bench_speech_zoo.py (for
example ``--utterance-norm`` or ``--n-bands 64 --hop 256``). Written with ``=``
(``--candidate="--n-bands 64 --hop 256"``), as the options begin with
dashes; ``--candidate=`` is the base setting itself. The outer folds
are those of bench_speech_zoo.py (GroupKFold by speaker). For every outer
fold, each candidate is scored only by its mean accuracy over inner
GroupKFold splits of that fold's *training* speakers; the best (a tie goes to
the candidate listed first) is then trained on the whole outer training set,
with the ``--final`` options added (e.g. ``--augment --seeds 5``), and
tested once on the outer fold's unseen speakers. No test speaker takes part
in any choice, so the mean over the outer folds estimates the accuracy of
the whole procedure, choice included.

Every option not listed below is passed to bench_speech_zoo.py (the dataset
folder, ``--archs`` (the first one is used), ``--speaker-norm``, ...).

Usage::

    nice python benchmarks/select_speech_zoo.py ../shared/data/emodb \
        --archs cnn --candidate= --candidate=--utterance-norm \
        --candidate="--n-bands 64 --hop 256" --final="--augment --seeds 5"
    nice python benchmarks/select_speech_zoo.py ../shared/data/emodb \
        --speaker-norm bands --candidate= --candidate=--utterance-norm
"""

import argparse
import json
import shlex
import time
from pathlib import Path

import numpy as np
from bench_speech_zoo import extract, parse_args, run_network
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut

from skmer.datasets import load_dataset


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--candidate",
        action="append",
        required=True,
        help="extra bench_speech_zoo.py options of one candidate, written "
        "--candidate='--hop 256' (--candidate= for none); repeat per candidate",
    )
    parser.add_argument("--inner-folds", type=int, default=3)
    parser.add_argument(
        "--final",
        default="",
        help="options added when training the choice, written --final='--augment'",
    )
    parser.add_argument("--json", help="file of the per-fold choices and scores")
    own, rest = parser.parse_known_args(argv)
    base = parse_args(rest)
    arch = base.archs[0]

    data = load_dataset(base.root)
    y, groups = np.asarray(data.target), np.asarray(data.groups)
    paths = np.asarray(data.paths)
    labels, counts = np.unique(y, return_counts=True)
    keep = ~np.isin(y, labels[counts < base.min_clips])
    y, groups, paths = y[keep], groups[keep], paths[keep]

    candidates = {}
    for extra in own.candidate:
        args = parse_args(rest + shlex.split(extra))
        X, _, shape = extract(paths, args)
        final = parse_args(rest + shlex.split(extra) + shlex.split(own.final))
        candidates[extra or "(base)"] = (args, final, X, shape)
    cv = LeaveOneGroupOut() if base.folds == 0 else GroupKFold(base.folds)
    outer = list(cv.split(paths, y, groups))
    print(
        f"{arch}: {len(y)} clips, {len(outer)} outer folds, {own.inner_folds} "
        f"inner folds by speaker; base options "
        f"{[option for option in rest if option != base.root]}; final options "
        f"{own.final!r}",
        flush=True,
    )
    report, accuracies = [], []
    for index, (train, test) in enumerate(outer):
        start = time.perf_counter()
        inner = list(GroupKFold(own.inner_folds).split(train, y[train], groups[train]))
        inner_scores = {}
        for name, (args, _, X, shape) in candidates.items():
            rows, _ = run_network(
                arch, X[train], y[train], groups[train], inner, shape, args
            )
            inner_scores[name] = float(np.mean([row["accuracy"] for row in rows]))
            print(
                f"  outer fold {index}: inner accuracy {inner_scores[name]:.3f} {name}",
                flush=True,
            )
        choice = max(inner_scores, key=inner_scores.get)  # first of the best
        _, final, X, shape = candidates[choice]
        rows, _ = run_network(arch, X, y, groups, [(train, test)], shape, final)
        accuracies.append(rows[0]["accuracy"])
        report.append(
            {
                "test_speakers": sorted(map(str, np.unique(groups[test]))),
                "inner": inner_scores,
                "choice": choice,
                "outer": rows[0],
            }
        )
        print(
            f"outer fold {index} (speakers {report[-1]['test_speakers']}): chose "
            f"{choice!r}, test accuracy {accuracies[-1]:.3f} "
            f"({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
        if own.json:
            Path(own.json).write_text(json.dumps(report, indent=1))
    values = np.array(accuracies) * 100
    print(
        f"\nnested accuracy of {arch} with the choice: {values.mean():.1f} ± "
        f"{values.std():.1f} % (folds: {', '.join(f'{v:.1f}' for v in values)})"
    )


if __name__ == "__main__":
    main()
