"""skmer's model format: fitted estimators that load without running code.

A pickle (``joblib.dump``) can run any code when it is loaded. A skmer model
file is a zip archive that holds only data:

- ``skmer-model.json``: the format name and version, the library versions
  that wrote it, and the estimator as a tree of plain values: numbers,
  strings, lists, dicts, slices, numpy dtypes and, for each estimator, its
  class name and its attributes;
- ``arrays/*.npy``: numpy arrays, read with ``allow_pickle=False``;
- ``keras/*.keras``: Keras models, read with Keras' ``safe_mode``, which
  refuses the layers that hold Python code (``Lambda``).

Loading builds each estimator from its class name without calling its
``__init__`` and sets its attributes, as unpickling does, but only for
classes it trusts: scikit-learn's and skmer's estimators. A file that names
any other class or a function is refused, with the list of such names, unless
the caller passes them in ``trusted``.
"""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib
import io
import json
import math
import os
import tempfile
import types
import warnings
import zipfile

import numpy as np

from skmer.exceptions import UntrustedTypeError
from skmer.utils._files import atomic_write

FORMAT = "skmer-model"
FORMAT_VERSION = 2
_MANIFEST = "skmer-model.json"
# Packages whose estimator classes load without being named in `trusted`.
_TRUSTED_PACKAGES = ("skmer", "sklearn")
# Lists of numbers longer than this are stored as arrays (and read back as
# lists), not as JSON.
_LONG_LIST = 64
_BUILTIN_TYPES = {"bool": bool, "int": int, "float": float, "str": str}


def save_model(estimator, path):
    """Save a fitted estimator in skmer's safe model format.

    The file holds data only: parameters and fitted attributes as JSON,
    arrays as ``.npy`` and Keras models as ``.keras``, in one zip archive.
    :func:`load_model` reads it back without running any code from the file.
    The file is written under a temporary name beside ``path`` and renamed
    into place, so a failed save leaves an earlier file at ``path`` as it was.

    Parameters
    ----------
    estimator : estimator
        A fitted scikit-learn or skmer estimator or pipeline. Its parts must
        be plain data (numbers, strings, lists, dicts, numpy arrays), Keras
        models, or estimators whose attributes are such data.
    path : str or path-like
        Where to write the file (by convention ``*.skmer``).

    Raises
    ------
    TypeError
        If a part of the estimator cannot be stored as data, for instance a
        function or an object of another library. The message names the
        attribute.

    See Also
    --------
    load_model : Load such a file.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skmer import load_model, save_model
    >>> model = LogisticRegression().fit([[0.0], [1.0]], ["calm", "angry"])
    >>> path = os.path.join(tempfile.mkdtemp(), "model.skmer")
    >>> save_model(model, path)
    >>> load_model(path).predict([[0.9]])
    array(['angry'], dtype='<U5')
    """
    _save(path, estimator, extra={})


def load_model(path, *, trusted=None, trust_pickle=False):
    """Load an estimator saved by :func:`save_model`, without running code.

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`save_model` or by ``skmer train``.
    trusted : list of str, default=None
        Further classes and functions the file may name, as
        ``"module.Name"``. By default only scikit-learn's and skmer's
        estimators are built. Pass a name here only if you trust the file
        and the code of that name.
    trust_pickle : bool, default=False
        Also accept a pickle (a file written by ``joblib.dump`` or by skmer
        before version 0.1). **Loading a pickle runs whatever code it
        holds**: pass True only for a file you made yourself or got from
        someone you trust, then save it again with :func:`save_model`.

    Returns
    -------
    estimator : estimator
        The fitted estimator.

    Raises
    ------
    ValueError
        If the file is not a skmer model file, is a pickle and
        ``trust_pickle`` is False, or was written by a newer skmer.
    UntrustedTypeError
        If the file names classes or functions that are not trusted.

    See Also
    --------
    save_model : Write such a file.
    """
    return _load(path, trusted=trusted, trust_pickle=trust_pickle)[0]


def _save(path, estimator, *, extra):
    """Write ``estimator`` and the JSON-able ``extra`` fields to ``path``."""
    writer = _Writer()
    tree = writer.encode(estimator, "estimator")
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "written_by": _library_versions(),
        "estimator": tree,
        **extra,
    }
    text = json.dumps(manifest, allow_nan=False)
    with atomic_write(path) as file:
        with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(_MANIFEST, text)
            for name, data in writer.files.items():
                # Keras archives are zip files already: store them as they are.
                method = zipfile.ZIP_STORED if name.endswith(".keras") else None
                archive.writestr(name, data, compress_type=method)


def _load(path, *, trusted, trust_pickle):
    """Return ``(estimator, manifest)``; ``manifest`` is None for a pickle."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"Model file not found: {path!r}.")
    with open(path, "rb") as file:
        head = file.read(4)
    if head == b"PK\x03\x04":
        return _load_archive(path, trusted)
    if _looks_like_pickle(head):
        if not trust_pickle:
            raise ValueError(
                f"{path!r} is a pickle (written by joblib.dump, or by an "
                "earlier skmer). Loading a pickle runs whatever code it "
                "holds, so skmer does not load it by default. If you made "
                "this file or trust its source, load it with "
                "trust_pickle=True (--trust-pickle on the command line), then "
                "save it again with skmer.save_model to get a safe file."
            )
        import joblib

        warnings.warn(
            f"Loading the pickle {path!r}: this can run code from the file.",
            UserWarning,
            stacklevel=3,
        )
        return joblib.load(path), None
    raise ValueError(
        f"{path!r} is not a skmer model file (neither a file written by "
        "skmer.save_model or 'skmer train' nor a pickle)."
    )


def _load_archive(path, trusted):
    try:
        archive = zipfile.ZipFile(path)
        manifest = json.loads(archive.read(_MANIFEST))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValueError(
            f"{path!r} is not a skmer model file or is damaged ({exc})."
        ) from exc
    with archive:
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ValueError(f"{path!r} is a zip archive but not a skmer model file.")
        version = manifest.get("version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise ValueError(
                f"{path!r} is a skmer model file of format version {version}, "
                f"newer than this skmer reads ({FORMAT_VERSION}). Upgrade "
                "skmer to load it."
            )
        reader = _Reader(archive, path, trusted)
        reader.check_trusted(manifest["estimator"])
        estimator = reader.decode(manifest["estimator"])
    return estimator, manifest


def _looks_like_pickle(head):
    """Whether a file starts like a pickle or a compressed joblib file."""
    if head[:1] == b"\x80":  # PROTO opcode of pickle protocols 2 and later
        return True
    if len(head) >= 2 and head[0] == 0x78 and (head[0] * 256 + head[1]) % 31 == 0:
        return True  # zlib
    return head[:3] in (b"\x1f\x8b\x08", b"BZh", b"]\x00\x00") or head[:4] in (
        b"\xfd7zX",  # xz
        b"\x04\x22\x4d\x18",  # lz4
    )


def _library_versions():
    import sklearn

    import skmer

    versions = {"skmer": skmer.__version__, "scikit-learn": sklearn.__version__}
    if "keras" in _loaded_modules():
        import keras

        versions["keras"] = keras.__version__
    return versions


def _loaded_modules():
    import sys

    return sys.modules


def _qualified_name(obj):
    return f"{obj.__module__}.{obj.__qualname__}"


def _is_keras_model(obj):
    if "keras" not in _loaded_modules():
        return False
    import keras

    return isinstance(obj, keras.Model)


class _Writer:
    """Turn an estimator into a JSON tree; collect arrays and Keras files."""

    def __init__(self):
        self.files = {}

    def _add(self, folder, suffix, data):
        name = f"{folder}/{len(self.files)}{suffix}"
        self.files[name] = data
        return name

    def encode(self, obj, where):
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int) and type(obj) is int:
            return obj
        if type(obj) is float:
            return obj if math.isfinite(obj) else {"type": "float", "value": repr(obj)}
        if type(obj) is list:
            kinds = {type(x) for x in obj}
            if len(obj) > _LONG_LIST and kinds in ({int}, {float}):
                return {"type": "list", "array": self._array(np.asarray(obj))}
            return [self.encode(x, f"{where}[{k}]") for k, x in enumerate(obj)]
        if type(obj) is tuple:
            items = [self.encode(x, f"{where}[{k}]") for k, x in enumerate(obj)]
            return {"type": "tuple", "items": items}
        if type(obj) is dict:
            items = [
                [self.encode(k, f"{where} key"), self.encode(v, f"{where}[{k!r}]")]
                for k, v in obj.items()
            ]
            return {"type": "dict", "items": items}
        if type(obj) is slice:
            args = [obj.start, obj.stop, obj.step]
            return {"type": "slice", "args": [self.encode(a, where) for a in args]}
        if isinstance(obj, np.ndarray):
            if obj.dtype.hasobject:
                items = [self.encode(x, f"{where}[...]") for x in obj.ravel().tolist()]
                return {
                    "type": "object_array",
                    "shape": list(obj.shape),
                    "items": items,
                }
            return {"type": "ndarray", "file": self._array(obj)}
        if isinstance(obj, np.generic):
            value = self.encode(obj.item(), where)
            return {"type": "scalar", "dtype": obj.dtype.str, "value": value}
        if isinstance(obj, np.dtype):
            return {"type": "dtype", "value": obj.str}
        if isinstance(obj, type):
            if issubclass(obj, np.generic):
                return {"type": "dtype_class", "value": np.dtype(obj).str}
            if obj in _BUILTIN_TYPES.values():
                return {"type": "builtin_type", "name": obj.__name__}
            return {"type": "class", "name": _qualified_name(obj)}
        if isinstance(obj, np.random.RandomState):
            state = self.encode(obj.get_state(), where)
            return {"type": "random_state", "state": state}
        if _is_keras_model(obj):
            return {"type": "keras", "file": self._keras(obj)}
        if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType, np.ufunc)):
            name = getattr(obj, "__qualname__", getattr(obj, "__name__", ""))
            if "<" in name:
                raise TypeError(
                    f"Cannot save {where}: {obj!r} is a lambda or a nested "
                    "function, which skmer's safe model format cannot name. "
                    "Use a function defined at the top level of a module."
                )
            module = getattr(obj, "__module__", None) or "numpy"
            return {"type": "function", "name": f"{module}.{name}"}
        return self._object(obj, where)

    def _object(self, obj, where):
        from sklearn.base import BaseEstimator

        name = _qualified_name(type(obj))
        if not isinstance(obj, BaseEstimator) or not hasattr(obj, "__dict__"):
            raise TypeError(
                f"Cannot save {where}: skmer's safe model format holds "
                "estimators, numbers, strings, lists, dicts, numpy arrays and "
                f"Keras models, not a {name}."
            )
        state = obj.__getstate__() if hasattr(obj, "__getstate__") else vars(obj)
        if not isinstance(state, dict):
            state = vars(obj)
        # Pairs, not a JSON object, so that an attribute named "type" is
        # never read as a node type.
        items = [
            [str(key), self.encode(value, f"{where}.{key}")]
            for key, value in state.items()
        ]
        return {"type": "object", "class": name, "state": items}

    def _array(self, array):
        buffer = io.BytesIO()
        np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
        return self._add("arrays", ".npy", buffer.getvalue())

    def _keras(self, model):
        with tempfile.TemporaryDirectory() as folder:
            target = os.path.join(folder, "model.keras")
            model.save(target)
            with open(target, "rb") as file:
                return self._add("keras", ".keras", file.read())


class _Reader:
    """Build an estimator back from a JSON tree and the archive's files."""

    def __init__(self, archive, path, trusted):
        self._archive = archive
        self._path = path
        self._trusted = set(trusted or ())

    def check_trusted(self, tree):
        """Raise UntrustedTypeError naming every untrusted name in ``tree``."""
        names = sorted(
            {name for name in _named_types(tree) if not self._is_trusted(name)}
        )
        if names:
            raise UntrustedTypeError(
                f"{self._path!r} names classes or functions that skmer does "
                f"not load by default: {', '.join(names)}. If you trust this "
                "file and that code, pass them to load_model(..., trusted=[...])."
            )

    def _is_trusted(self, name):
        if name in self._trusted:
            return True
        parts = name.split(".")
        # No dunder part: importing skmer.__main__ would run the command line.
        ours = parts[0] in _TRUSTED_PACKAGES and not any(
            part.startswith("__") for part in parts
        )
        cls = _resolve(name) if ours else None
        if not isinstance(cls, type):
            return False
        from sklearn.base import BaseEstimator

        return issubclass(cls, BaseEstimator)

    def decode(self, node):
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.decode(x) for x in node]
        kind = node["type"]
        if kind == "float":
            return float(node["value"])
        if kind == "list":
            return self._array(node["array"]).tolist()
        if kind == "tuple":
            return tuple(self.decode(x) for x in node["items"])
        if kind == "dict":
            return {self.decode(k): self.decode(v) for k, v in node["items"]}
        if kind == "slice":
            return slice(*(self.decode(a) for a in node["args"]))
        if kind == "ndarray":
            return self._array(node["file"])
        if kind == "object_array":
            array = np.empty(len(node["items"]), dtype=object)
            array[:] = [self.decode(x) for x in node["items"]]
            return array.reshape(node["shape"])
        if kind == "scalar":
            return np.array(self.decode(node["value"]), dtype=node["dtype"])[()]
        if kind == "dtype":
            return np.dtype(node["value"])
        if kind == "dtype_class":
            return np.dtype(node["value"]).type
        if kind == "builtin_type":
            return _BUILTIN_TYPES[node["name"]]
        if kind == "random_state":
            state = np.random.RandomState()
            state.set_state(self.decode(node["state"]))
            return state
        if kind == "keras":
            return self._keras(node["file"])
        if kind in ("class", "function"):
            return _resolve(node["name"])
        if kind == "object":
            cls = _resolve(node["class"])
            if not isinstance(cls, type):
                raise UntrustedTypeError(
                    f"{self._path!r} names {node['class']}, which is not a class."
                )
            obj = cls.__new__(cls)
            state = {key: self.decode(value) for key, value in node["state"]}
            if hasattr(obj, "__setstate__"):
                obj.__setstate__(state)
            else:
                obj.__dict__.update(state)
            return obj
        raise ValueError(f"{self._path!r} holds an unknown entry type {kind!r}.")

    def _read(self, name):
        try:
            return self._archive.read(name)
        except KeyError:
            raise ValueError(f"{self._path!r} is damaged: {name} is missing.") from None

    def _array(self, name):
        return np.load(io.BytesIO(self._read(name)), allow_pickle=False)

    def _keras(self, name):
        import keras

        # Importing the subpackage registers skmer's custom layers.
        import skmer.neural_network  # noqa: F401

        with tempfile.TemporaryDirectory() as folder:
            target = os.path.join(folder, "model.keras")
            with open(target, "wb") as file:
                file.write(self._read(name))
            try:
                return keras.saving.load_model(target, safe_mode=True)
            except ValueError as exc:
                raise ValueError(
                    f"{self._path!r}: its Keras model {name} cannot be loaded "
                    f"safely ({exc})."
                ) from exc


def _named_types(node):
    """Yield the class and function names a JSON tree refers to."""
    if isinstance(node, list):
        for item in node:
            yield from _named_types(item)
    elif isinstance(node, dict):
        if node.get("type") == "object":
            yield node["class"]
        elif node.get("type") in ("class", "function"):
            yield node["name"]
        for value in node.values():
            yield from _named_types(value)


def _resolve(name):
    """Import ``module.Name``; None when it does not exist."""
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attribute in parts[cut:]:
                obj = getattr(obj, attribute)
        except AttributeError:
            return None
        return obj
    return None
