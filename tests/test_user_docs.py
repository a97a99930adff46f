"""The user-facing text speaks to users: no lab log, no machine of ours."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Phrases of a development log, not of a user guide: where the team keeps
# its recordings, the machine the figures were measured on, what could not
# be installed there. The record of tuning runs is benchmarks/RESULTS.md.
LAB_LOG = re.compile(
    r"\.\./shared|shared/data|2-core machine|shared machine|this machine|"
    r"installed offline|can be installed offline",
    re.IGNORECASE,
)

# A user guide page longer than this is a benchmark report in disguise.
MAX_WORDS = 2000


def _pages():
    return [
        ROOT / "README.md",
        *sorted((ROOT / "docs").glob("*.rst")),
        *sorted((ROOT / "docs" / "modules").glob("*.rst")),
        *sorted((ROOT / "examples").rglob("*.py")),
    ]


def _docstrings():
    for path in sorted((ROOT / "skmer").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(
                node,
                ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef,
            ):
                text = ast.get_docstring(node)
                if text:
                    name = getattr(node, "name", path.stem)
                    yield f"{path.relative_to(ROOT)}:{name}", text


@pytest.mark.parametrize("path", _pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_user_pages_read_as_a_guide(path):
    text = path.read_text(encoding="utf-8")
    assert not LAB_LOG.findall(text), LAB_LOG.findall(text)
    if path.suffix == ".rst":
        assert len(text.split()) <= MAX_WORDS


def test_docstrings_read_as_a_guide():
    found = {
        where: LAB_LOG.findall(text)
        for where, text in _docstrings()
        if LAB_LOG.search(text)
    }
    assert not found
