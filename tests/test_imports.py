"""The import graph of skmer's modules has no cycle."""

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


def test_no_module_imports_itself_through_others():
    assert _cycle(_import_graph()) is None


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycle(graph) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
