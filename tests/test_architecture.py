"""The shape of the house: import direction, no import loops, modules of a readable size.

The layers (docs/architecture.md): `live` (the transport) and `workshops` are the ground floor,
`breakouts` builds on `workshops`, `calls` on `breakouts`, `followup` sits above them;
`config` wires them together. Every import counts, including those inside functions.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "live", "workshops", "breakouts", "calls", "followup")
# What each layer may import from the project (besides itself).
MAY_IMPORT = {
    "live": set(),
    "workshops": {"live"},
    "breakouts": {"live", "workshops"},
    "calls": {"live", "workshops", "breakouts"},
    "followup": {"live", "workshops", "breakouts", "calls"},
    "config": {"live", "workshops", "breakouts", "calls", "followup"},
}
MAX_PYTHON_LINES = 450
MAX_JS_LINES = 350


def python_files():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {".venv", "node_modules", "var"} or "migrations" in relative.parts:
            continue
        yield relative


def module_name(relative):
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(relative):
    """Returns the project modules `relative` imports, at any depth of its code."""
    tree = ast.parse((ROOT / relative).read_text(), filename=str(relative))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from package import module` imports a submodule too.
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in PACKAGES}


def project_graph():
    modules = {module_name(p): p for p in python_files() if p.parts[0] in PACKAGES}
    return {
        name: {target for target in imports_of(path) if target in modules and target != name}
        for name, path in modules.items()
    }


def strongly_connected(graph):
    """Tarjan's algorithm: returns the strongly connected components of `graph`."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_no_module_imports_another_in_a_loop():
    loops = [sorted(c) for c in strongly_connected(project_graph()) if len(c) > 1]
    assert loops == []


def test_the_loop_finder_finds_a_loop():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert [c for c in strongly_connected(graph) if len(c) > 1] == [{"a", "b", "c"}]


def test_imports_follow_the_layers():
    wrong = []
    for module, targets in project_graph().items():
        layer = module.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            if other != layer and other not in MAY_IMPORT[layer]:
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_python_modules_stay_readable():
    long = {
        str(path): lines for path in python_files()
        if (lines := len((ROOT / path).read_text().splitlines())) > MAX_PYTHON_LINES
    }
    assert long == {}


def test_javascript_modules_stay_readable():
    long = {
        str(path.relative_to(ROOT)): lines for path in sorted((ROOT / "static" / "js").glob("*.js"))
        if (lines := len(path.read_text().splitlines())) > MAX_JS_LINES
    }
    assert long == {}
