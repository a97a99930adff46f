"""Training throughput: DualStreamClassifier.fit against plain keras.Model.fit.

On the 180 CREMA-D clips of bench_accuracy.py (sentence IEO, high intensity,
ANG/HAP/SAD) the fusion network of each preset is trained by the SciKeras
wrapper and by plain ``keras.Model.fit`` on the same standardised arrays,
same batch size, no validation split or callbacks. The script prints samples
per second of one epoch (fixed costs such as building the network and
tracing the graph excluded: the difference between the totals of N epochs
and of one epoch, divided by N - 1) and of the whole fit of N epochs (fixed
costs included), and the wrapper's time against plain Keras for both, with
the target (within 10 %). On a busy machine the per-epoch difference is
noisy: run it on an idle one. The measurement is bench_accuracy.py's
``time_epochs`` (best of three runs, the two alternating). The first line
says which device TensorFlow runs on (a GPU when it sees one).

Usage::

    python benchmarks/bench_training.py [--data DIR] [--epochs 6]
    python benchmarks/bench_training.py --configs paper
"""

import argparse
import os

import numpy as np
import pandas as pd
from bench_accuracy import add_common_arguments, time_epochs

from skmer.datasets import load_crema_d

TARGET = 1.10  # the wrapper within 10 % of plain Keras


def device():
    """Where TensorFlow places the networks' variables: a GPU when it sees one."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    placed = tf.Variable(0.0).device.rsplit("device:", 1)[-1]
    return f"TensorFlow {tf.__version__}, {len(gpus)} GPU(s) visible, runs on {placed}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(device())

    data = load_crema_d(args.data / "crema-d", sentences="IEO", intensities="HI")
    frame = pd.DataFrame({"path": data.paths})
    y = np.asarray(data.target)
    print(
        f"{len(y)} clips, fusion network, batch 32, {args.epochs} epochs, best of "
        f"{args.repeats}; {os.cpu_count()} CPU cores; load average "
        + ", ".join(f"{v:.2f}" for v in os.getloadavg())
    )
    for config in args.configs:
        table = time_epochs(
            config,
            frame,
            y,
            args.cache_dir,
            epochs=args.epochs,
            repeats=args.repeats,
        )
        total = f"total {args.epochs} epochs (s)"
        table["samples/s, epoch"] = len(y) / table["per epoch (s)"]
        table["samples/s, whole fit"] = args.epochs * len(y) / table[total]
        print(f"\n{config}:")
        print(table.round(3).to_string())
        for column in ("per epoch (s)", total):
            ratio = (
                table.loc["DualStreamClassifier.fit", column]
                / table.loc["keras.Model.fit", column]
            )
            met = "met" if ratio <= TARGET else "NOT met"
            print(
                f"wrapper / plain Keras, {column}: {ratio:.3f} "
                f"(target <= {TARGET:.2f}: {met})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
