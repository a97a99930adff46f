"""The ``skmer`` command line: argument parsing over the public API."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import sys
import traceback


def _build_parser() -> argparse.ArgumentParser:
    from skmer import __version__

    parser = argparse.ArgumentParser(
        prog="skmer",
        description="Multimodal (face and voice) emotion recognition with "
        "scikit-learn estimators.",
    )
    parser.add_argument("--version", action="version", version=f"skmer {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show the full traceback on errors"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--n-jobs", type=int, default=None, help="parallel workers (-1: all cores)"
    )
    common.add_argument(
        "--cache-dir", default=None, help="per-file feature cache directory"
    )
    common.add_argument("--quiet", action="store_true", help="no progress bars")

    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="run both extractors on the embedded synthetic clips",
        description="Generate the embedded synthetic clips (or reuse them), "
        "extract face and audio features, and report what was done.",
    )
    demo.add_argument(
        "--out-dir", default=None, help="where to write the clips (default: data home)"
    )
    demo.add_argument("--seed", type=int, default=0, help="generator seed")

    extract = commands.add_parser(
        "extract",
        parents=[common],
        help="extract the face and audio blocks of a dataset folder",
        description="Extract FaceExtractor and MFCCExtractor features of every "
        "clip of a CREMA-D, RAVDESS or EmoDB folder into a .npz file with the "
        "arrays X_face, X_audio, y, groups and paths.",
    )
    extract.add_argument("data", help="dataset folder")
    extract.add_argument("--out", required=True, help="output .npz file")
    extract.add_argument(
        "--dataset",
        choices=["auto", "crema-d", "ravdess", "emodb"],
        default="auto",
        help="dataset kind (default: detected)",
    )
    extract.add_argument(
        "--modalities",
        choices=["auto", "both", "face", "audio"],
        default="auto",
        help="which blocks to extract (default: both when the clips have "
        "video, audio for audio-only corpora such as EmoDB)",
    )
    extract.add_argument("--n-frames", type=int, default=1, help="face frames per clip")
    extract.add_argument("--size", type=int, default=64, help="face crop side")
    return parser


def _demo(args) -> int:
    from skmer._demo import run_demo

    run_demo(
        out_dir=args.out_dir,
        n_jobs=args.n_jobs,
        cache_dir=args.cache_dir,
        random_state=args.seed,
        verbose=0 if args.quiet else 1,
    )
    return 0


def _extract(args) -> int:
    import numpy as np

    from skmer.datasets import load_dataset
    from skmer.feature_extraction import FaceExtractor, MFCCExtractor
    from skmer.io import media_info

    data = load_dataset(args.data, kind=args.dataset)
    verbose = 0 if args.quiet else 1
    modalities = args.modalities
    if modalities == "auto":
        modalities = "both" if media_info(data.paths[0]).has_video else "audio"
    arrays = {"y": data.target, "groups": data.groups, "paths": data.paths}
    if modalities in ("both", "face"):
        arrays["X_face"] = FaceExtractor(
            args.size,
            n_frames=args.n_frames,
            n_jobs=args.n_jobs,
            cache_dir=args.cache_dir,
            verbose=verbose,
        ).fit_transform(data.paths)
    if modalities in ("both", "audio"):
        arrays["X_audio"] = MFCCExtractor(
            n_jobs=args.n_jobs, cache_dir=args.cache_dir, verbose=verbose
        ).fit_transform(data.paths)
    np.savez_compressed(args.out, **arrays)
    shapes = ", ".join(
        f"{name} {value.shape}" for name, value in arrays.items() if name[0] == "X"
    )
    print(f"{len(data.paths)} {data.kind} clips -> {args.out}: {shapes}.")
    return 0


_COMMANDS = {"demo": _demo, "extract": _extract}


def main(argv: list[str] | None = None) -> int:
    """Run the ``skmer`` command line.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments without the program name; None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success, 1 on a failure (with a one-line message on stderr, or
        the traceback with ``--debug``), 2 on a usage error.

    Examples
    --------
    ``skmer extract`` on a folder of two EmoDB-named recordings:

    >>> import os, tempfile, wave
    >>> from skmer.cli import main
    >>> root = tempfile.mkdtemp()
    >>> os.mkdir(os.path.join(root, "wav"))
    >>> for name in ["03a01Wa.wav", "08a01Na.wav"]:
    ...     with wave.open(os.path.join(root, "wav", name), "wb") as f:
    ...         f.setnchannels(1); f.setsampwidth(2); f.setframerate(16000)
    ...         f.writeframes(bytes(32000))
    >>> out = os.path.join(root, "features.npz")
    >>> main(["extract", root, "--out", out, "--quiet"])  # doctest: +ELLIPSIS
    2 emodb clips -> ...features.npz: X_audio (2, 5120).
    0
    """
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("skmer: interrupted.", file=sys.stderr)
        return 1
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        else:
            message = " ".join(str(exc).split()) or type(exc).__name__
            print(
                f"skmer {args.command}: {type(exc).__name__}: {message} "
                "(run with --debug for the traceback)",
                file=sys.stderr,
            )
        return 1
