"""Import optional dependencies with an error that names the extra to install."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib


def import_optional(module, extra, *, caller=None):
    """Import ``module`` or raise an ImportError that says how to install it.

    Parameters
    ----------
    module : str
        Dotted module name, for example ``"mtcnn"``.
    extra : str
        The skmer extra that installs it, for example ``"mtcnn"``.
    caller : str, default=None
        What needs the module, for the message (for example
        ``"FaceExtractor(detector='mtcnn')"``). Defaults to ``"This feature"``.

    Returns
    -------
    module : module
        The imported module.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        who = caller or "This feature"
        raise ImportError(
            f"{who} requires {module.split('.')[0]}. Install it with "
            f"`pip install skmer[{extra}]`."
        ) from exc
