"""numpydoc validation of the public API, and docstring-vs-signature checks."""

import importlib
import inspect

import pytest

import skmer

numpydoc_validate = pytest.importorskip("numpydoc.validate")

# Every subpackage of the lazy namespace except the command line and the
# private helpers, plus the one public module of utils: a new subpackage is
# checked without editing this list.
PUBLIC_MODULES = [
    f"skmer.{name}" for name in skmer._submodules if name not in {"cli", "utils"}
] + ["skmer.utils.discovery"]

# numpydoc error codes we do not enforce, with the reason.
IGNORED = {
    "GL08",  # inherited sklearn methods (fit_transform, set_output) are sklearn's
    "ES01",  # an extended summary is not required for short functions
    "SA01",  # See Also is encouraged, not required
    "EX01",  # Examples live on the classes and main functions
    "RT02",  # "Returns" names are used, sklearn style
    "SS05",  # summary lines may start with a verb in the third person
    "PR01",  # checked precisely by test_parameters_match_signature below
    "PR02",
    "YD01",
}


def _public_objects():
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            yield f"{module_name}.{name}", obj
            if inspect.isclass(obj):
                for method_name, method in vars(obj).items():
                    if method_name.startswith("_") or not callable(method):
                        continue
                    yield f"{module_name}.{name}.{method_name}", method


PUBLIC = list(_public_objects())


@pytest.mark.parametrize("name, obj", PUBLIC, ids=[n for n, _ in PUBLIC])
def test_numpydoc(name, obj):
    result = numpydoc_validate.validate(name)
    errors = [
        f"{code}: {message}"
        for code, message in result["errors"]
        if code not in IGNORED
    ]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("name, obj", PUBLIC, ids=[n for n, _ in PUBLIC])
def test_parameters_match_signature(name, obj):
    if inspect.isclass(obj) and issubclass(obj, BaseException):
        target = obj
    elif inspect.isclass(obj):
        target = obj.__init__
    else:
        target = obj
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        pytest.skip("no signature")
    from numpydoc.docscrape import ClassDoc, FunctionDoc

    doc = ClassDoc(obj) if inspect.isclass(obj) else FunctionDoc(obj)
    documented = [
        name
        for name in (
            p.name.split(":")[0].strip().lstrip("*") for p in doc["Parameters"]
        )
        if name not in ("args", "kwargs")
    ]
    expected = [
        p for p in signature.parameters if p not in ("self", "cls", "args", "kwargs")
    ]
    if hasattr(obj, "_fields") or not expected and not documented:
        return
    assert documented == expected
