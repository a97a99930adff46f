"""Discovery of skmer's public estimators."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib
import inspect
import pkgutil
from operator import itemgetter

from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    ClusterMixin,
    RegressorMixin,
    TransformerMixin,
)

import skmer

__all__ = ["all_estimators"]

_MIXINS = {
    "classifier": ClassifierMixin,
    "regressor": RegressorMixin,
    "transformer": TransformerMixin,
    "cluster": ClusterMixin,
}


def _public_modules(package):
    """Import and yield the public modules below ``package``, depth first.

    Private modules and packages (a leading underscore, which covers
    ``__main__`` and the test helpers of ``skmer.utils._test_common``) are
    skipped without being imported.
    """
    for info in pkgutil.iter_modules(package.__path__, prefix=f"{package.__name__}."):
        if info.name.rpartition(".")[2].startswith("_"):
            continue
        module = importlib.import_module(info.name)
        yield module
        if info.ispkg:
            yield from _public_modules(module)


def all_estimators(type_filter=None):
    """Get a list of all estimators from skmer.

    Walks skmer's public modules and returns every estimator class they
    define or re-export, like :func:`sklearn.utils.discovery.all_estimators`
    does for scikit-learn. Private modules are not imported, and classes whose
    name starts with an underscore, abstract classes and scikit-learn's own
    estimators are left out.

    Finding the classes means importing the modules that define them: the
    call imports TensorFlow, through the Keras estimators of
    :mod:`skmer.neural_network`.

    Parameters
    ----------
    type_filter : {'classifier', 'regressor', 'transformer', 'cluster'} or \
list of such str, default=None
        Which kind of estimators to return. None returns all of them. A
        string returns the estimators of that kind (the subclasses of
        scikit-learn's ``ClassifierMixin``, ``RegressorMixin``,
        ``TransformerMixin`` or ``ClusterMixin``), a list those of any kind
        in the list. skmer has no regressors and no clusterers: these kinds
        are accepted for compatibility with scikit-learn and return nothing.

    Returns
    -------
    estimators : list of tuples
        ``(name, class)`` pairs, where ``name`` is the class name as a string
        and ``class`` the estimator class, sorted by name.

    See Also
    --------
    sklearn.utils.discovery.all_estimators : The same for scikit-learn.

    Examples
    --------
    >>> from skmer.utils.discovery import all_estimators
    >>> [name for name, _ in all_estimators(type_filter="classifier")]
    ['DualStreamClassifier', 'SpeechClassifier']
    >>> [name for name, _ in all_estimators(type_filter=["transformer"])][:2]
    ['FaceEmbedding', 'FaceExtractor']
    """
    if type_filter is None:
        kinds = []
    elif isinstance(type_filter, str):
        kinds = [type_filter]
    else:
        kinds = list(type_filter)
    unknown = [
        kind for kind in kinds if not isinstance(kind, str) or kind not in _MIXINS
    ]
    if unknown or (type_filter is not None and not kinds):
        raise ValueError(
            "type_filter must be None, 'classifier', 'regressor', 'transformer' "
            f"or 'cluster', or a non-empty list of them; got {type_filter!r}."
        )

    estimators = set()
    for module in _public_modules(skmer):
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, BaseEstimator)
                and not name.startswith("_")
                and cls.__module__.startswith("skmer.")
                and not inspect.isabstract(cls)
            ):
                estimators.add((name, cls))

    if kinds:
        bases = tuple(_MIXINS[kind] for kind in kinds)
        estimators = {(name, cls) for name, cls in estimators if issubclass(cls, bases)}
    return sorted(estimators, key=itemgetter(0))
