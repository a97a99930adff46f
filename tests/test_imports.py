"""The import graph of skmer's modules: no cycle, and layers that only look down.

The layers are the picture of docs/developers.rst; keep the two together.
"""

import ast
from pathlib import Path

import skmer

ROOT = Path(skmer.__file__).parent


def _module_name(path):
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path, modules):
    """The skmer modules that ``path`` imports, at the top or in a function.

    Imports inside functions count too: one that closes a circle only works
    because it runs late, and hoisting it, the usual tidy-up, would break.
    """
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from skmer.a import b`` imports the module skmer.a.b if it is one.
            names = [
                f"{node.module}.{alias.name}"
                if f"{node.module}.{alias.name}" in modules
                else node.module
                for alias in node.names
            ]
        else:
            continue
        found.update(name for name in names if name in modules)
    return found


def _import_graph():
    paths = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph = {name: _imports(path, paths) for name, path in paths.items()}
    # A package's __init__ importing its own modules is how packages work:
    # keep the edges between modules.
    return {
        name: {
            target
            for target in targets
            if not name.startswith(target + ".") and not target.startswith(name + ".")
        }
        for name, targets in graph.items()
    }


def _cycle(graph):
    """A list of modules that import each other in a circle, or None."""
    state = {}

    def visit(name, trail):
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                return trail[trail.index(target) :] + [target]
            if target not in state:
                found = visit(target, trail + [target])
                if found:
                    return found
        state[name] = "done"
        return None

    for name in sorted(graph):
        if name not in state:
            found = visit(name, [name])
            if found:
                return found
    return None


# Each part of skmer, by layer: a module imports its own layer or the ones
# below, never one above.
LAYERS = {
    "utils": 0,
    "exceptions": 0,
    "io": 1,
    "datasets": 1,
    "feature_extraction": 2,
    "preprocessing": 2,
    "neural_network": 2,
    "pipeline": 3,
    "evaluation": 3,
    "_serialization": 3,
    "_model_file": 3,
    "cli": 4,
    "__main__": 4,
    # The estimator checks' settings: test support, above every estimator.
    "utils._test_common": 4,
}


def _part(module):
    """The part of skmer a module belongs to: skmer.cli._parser -> cli."""
    if module.startswith("skmer.utils._test_common"):
        return "utils._test_common"
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _upward_imports(graph, layers):
    """The (module, imported module) pairs that import a higher layer."""
    return sorted(
        (name, target)
        for name, targets in graph.items()
        for target in targets
        if _part(name) is not None and layers[_part(target)] > layers[_part(name)]
    )


def test_every_part_has_a_layer():
    parts = {_part(name) for name in _import_graph()} - {None}
    assert parts == set(LAYERS)


def test_no_module_imports_a_higher_layer():
    assert _upward_imports(_import_graph(), LAYERS) == []


def test_the_layer_check_finds_an_upward_import():
    graph = {"skmer.io": {"skmer.pipeline"}, "skmer.pipeline": {"skmer.io"}}
    layers = {"io": 1, "pipeline": 3}
    assert _upward_imports(graph, layers) == [("skmer.io", "skmer.pipeline")]


def test_no_module_imports_itself_through_others():
    assert _cycle(_import_graph()) is None


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycle(graph) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
