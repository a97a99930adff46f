"""The ``skmer`` command line: argument parsing over the public API.

:func:`main` parses the arguments with the parser of ``_parser`` and runs the
command of ``_commands``, which hands plain values to the tasks of ``_tasks``
and ``_demo``; they write their reports with ``_report`` and
``_report_sections``.
"""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib
import logging
import os
import sys
import time
import traceback
import warnings

from skmer.cli._parser import build_parser

__all__ = ["main"]

# When the command started, for the wall time that the demo prints.
_STARTED = time.perf_counter()

# Commands that train or load a Keras model.
_KERAS_COMMANDS = {"demo", "train", "evaluate", "compare", "predict"}


def main(argv: list[str] | None = None) -> int:
    """Run the ``skmer`` command line.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments without the program name; None reads ``sys.argv``, as the
        installed ``skmer`` command does, and then also prints each warning
        on one line (``skmer: warning: ...``).

    Returns
    -------
    status : int
        0 on success, 1 on a failure (with a one-line message on stderr, or
        the traceback with ``--debug``), 2 on a usage error.

    Notes
    -----
    Without ``--debug``, TensorFlow's own C++ and Python logging is kept off
    the terminal (``TF_CPP_MIN_LOG_LEVEL=3`` unless set, and its import-time
    lines are dropped).

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
    args = build_parser().parse_args(argv)
    with contextlib.ExitStack() as stack:
        if not args.debug:
            _quiet_tensorflow(load=args.command in _KERAS_COMMANDS)
        if argv is None:
            # Run as the command line (not called from Python code, whose
            # own warning filters and handlers stay as they are).
            stack.enter_context(_one_line_warnings())
        try:
            # Imported once the arguments are parsed, so that --help and usage
            # errors do not wait for what the commands import.
            from skmer.cli._commands import COMMANDS

            return COMMANDS[args.command](args)
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


def _quiet_tensorflow(*, load):
    """Keep TensorFlow's C++ and Python logging off the terminal.

    TensorFlow reads its log level when it is first imported, and some of
    its import-time lines ignore it: with ``load``, it is imported here with
    the C-level stderr sent to /dev/null (Python errors still propagate).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    for name in ("tensorflow", "absl", "keras"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if not load or "tensorflow" in sys.modules:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            try:
                import tensorflow  # noqa: F401
            except ImportError:
                pass  # the code that needs it says what to install
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@contextlib.contextmanager
def _one_line_warnings():
    """Print each warning as one line, ``skmer: warning: message``."""

    def show(message, category, filename, lineno, file=None, line=None):
        text = " ".join(str(message).split())
        print(f"skmer: warning: {text}", file=file or sys.stderr)

    before = warnings.showwarning
    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = before
