"""scikit-learn's estimator checks on every public estimator.

The estimators come from :func:`skmer.utils.discovery.all_estimators`, so a new
public estimator is checked without editing this file. Its fast constructor
parameters and its expected failures, each with the reason, live in
``skmer/utils/_test_common/instance_generator.py`` (imblearn's layout).
"""

import re

import pytest
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import (
    check_do_not_raise_errors_in_init_or_set_params,
    check_estimator_cloneable,
    check_estimator_repr,
    check_estimator_tags_renamed,
    check_get_params_invariance,
    check_mixin_order,
    check_no_attributes_set_in_init,
    check_param_validation,
    check_parameters_default_constructible,
    check_set_params,
    check_valid_tag_types,
    estimator_checks_generator,
    parametrize_with_checks,
)

from skmer.neural_network import FaceEmbedding
from skmer.utils._test_common.instance_generator import (
    _get_expected_failed_checks,
    _tested_estimators,
    _tiny_face_backbone,
)

pytestmark = pytest.mark.usefixtures("seeds_fixed")

# scikit-learn's checks generate 2-D numeric data. An estimator whose tags
# refuse it (one that takes paths) would get a single check and a warning
# (STYLE.md section 4), so it gets the checks that need no data instead.
ESTIMATORS = list(_tested_estimators())
ARRAY_ESTIMATORS = [e for e in ESTIMATORS if get_tags(e).input_tags.two_d_array]
PATH_ESTIMATORS = [e for e in ESTIMATORS if not get_tags(e).input_tags.two_d_array]

DATA_FREE_CHECKS = [
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_get_params_invariance,
    check_set_params,
    check_estimator_repr,
    check_estimator_cloneable,
    check_estimator_tags_renamed,
    check_valid_tag_types,
    check_mixin_order,
    check_do_not_raise_errors_in_init_or_set_params,
    # Parameters are validated before X is looked at, so numbers will do.
    check_param_validation,
]


def _estimator_id(estimator):
    return re.sub(r"\s", "", repr(estimator))


def _check_names(estimator):
    checks = estimator_checks_generator(estimator, legacy=True)
    return [getattr(check, "func", check).__name__ for _, check in checks]


@pytest.fixture(scope="module")
def face_backbone(tmp_path_factory):
    """A tiny Keras model file for FaceEmbedding, made once for the module."""
    return _tiny_face_backbone(tmp_path_factory.mktemp("backbone") / "tiny.keras")


# The checks feed waveforms of a few samples, shorter than any FFT window.
@pytest.mark.filterwarnings("ignore:n_fft=.* is too large:UserWarning")
@parametrize_with_checks(
    ARRAY_ESTIMATORS, expected_failed_checks=_get_expected_failed_checks
)
def test_estimators_compatibility_sklearn(estimator, check, request):
    if isinstance(estimator, FaceEmbedding):
        estimator.set_params(backbone=request.getfixturevalue("face_backbone"))
    check(estimator)


@pytest.mark.parametrize("check", DATA_FREE_CHECKS, ids=lambda check: check.__name__)
@pytest.mark.parametrize("estimator", PATH_ESTIMATORS, ids=_estimator_id)
def test_estimators_taking_paths_data_free_checks(estimator, check):
    check(type(estimator).__name__, estimator)


@pytest.mark.parametrize("estimator", ARRAY_ESTIMATORS, ids=_estimator_id)
def test_estimators_get_the_full_check_suite(estimator):
    # An estimator whose tags refuse 2-D numeric input gets one check and a
    # warning, which reads as "all checks pass" (FACTS.md): count them.
    names = _check_names(estimator)
    expected_failures = _get_expected_failed_checks(estimator)
    assert set(expected_failures) <= set(names), "no such check"
    passing = [name for name in names if name not in expected_failures]
    assert len(passing) >= 30, len(passing)


@pytest.mark.parametrize("estimator", PATH_ESTIMATORS, ids=_estimator_id)
def test_estimators_taking_paths_get_one_check(estimator):
    # Why their data-free checks are called one by one: scikit-learn's
    # generator gives them a single check.
    name = type(estimator).__name__
    with pytest.warns(UserWarning, match=f"Can't test estimator {name}"):
        names = _check_names(estimator)
    assert names == ["check_estimator_cloneable"]
