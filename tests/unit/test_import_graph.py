"""The package's import graph: no cycles, and `language/` standing on its own.

Read from the source with `ast` (nothing is imported): an edge is a module-level import that runs when
the module is imported, so imports under `if TYPE_CHECKING:` and inside functions (the deliberate lazy
imports of the CLI) do not count. A cycle makes import order matter and hides layering mistakes;
`language/` (the IR, syntaxes and validation) is what every other part builds on, so it may import only
the exception hierarchy.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from anysym.language.validate_graph import strongly_connected

REPO = Path(__file__).resolve().parents[2]
_SKIPPED = {"tests", "scripts", "build", "dist", "docs", "examples"}
_LANGUAGE_MAY_IMPORT = {"anysym.errors"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in REPO.rglob("*.py"):
        parts = path.relative_to(REPO).with_suffix("").parts
        if parts[0] in _SKIPPED or any(p.startswith(".") for p in parts):
            continue
        name = ".".join(("anysym", *parts)).removesuffix(".__init__")
        found[name] = path
    return found


def _runtime_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            yield from _runtime_imports(node.body)
            yield from _runtime_imports(node.orelse)
        elif isinstance(node, ast.Try):
            yield from _runtime_imports(node.body)
            for handler in node.handlers:
                yield from _runtime_imports(handler.body)


def _edges(modules: dict[str, Path]) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8")).body):
            if isinstance(node, ast.Import):
                edges[name] |= {alias.name for alias in node.names if alias.name in modules}
                continue
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                target = f"{base}.{alias.name}"
                target = target if target in modules else base
                if target in modules:
                    edges[name].add(target)
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (the flow validator's Tarjan)."""
    order = sorted(edges)
    components = strongly_connected(order, {node: sorted(edges[node]) for node in order})
    return sorted(sorted(component) for component in components if len(component) > 1)


def test_the_graph_is_read_from_the_source() -> None:
    edges = _edges(_modules())
    assert {"anysym.language.flow", "anysym.language.syntax.builder"} <= edges[
        "anysym.language.syntax.declarative"
    ]
    assert "anysym.graph.state" in edges["anysym.nodes.search"]
    # imports only a type checker runs are no edge
    assert "anysym.language.diagnostics" not in edges["anysym.errors"]


def test_a_cycle_is_found() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_back() -> None:
    assert _cycles(_edges(_modules())) == []


def test_language_imports_nothing_of_anysym_but_the_errors() -> None:
    edges = _edges(_modules())
    outside = sorted(
        (name, target)
        for name, targets in edges.items()
        if name.startswith("anysym.language")
        for target in targets
        if not target.startswith("anysym.language") and target not in _LANGUAGE_MAY_IMPORT
    )
    assert outside == []


def test_nodes_holds_the_graphs_nodes_and_nothing_else() -> None:
    """Each module of `nodes/` is one node of the graph, named after it; helpers live elsewhere."""
    modules = {path.stem for path in (REPO / "nodes").glob("*.py") if path.stem != "__init__"}
    build = ast.parse((REPO / "graph" / "build.py").read_text(encoding="utf-8"))
    added = {
        call.args[0].value
        for call in ast.walk(build)
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "add_node"
        and isinstance(call.args[0], ast.Constant)
    }
    imported = {
        node.module.removeprefix("anysym.nodes.")
        for node in ast.walk(build)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("anysym.nodes.")
    }
    assert modules == imported == added


def test_nodes_write_no_run_files_the_node_wrapper_records_their_updates() -> None:
    """Attempts and results reach the run directory through `RunDir.record` in `graph/build.py` only."""
    writers = {"write_attempt", "write_result", "write_record", "record"}
    calls = sorted(
        f"{path.relative_to(REPO)}: {node.func.attr}"
        for path in REPO.glob("nodes/*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in writers
    )
    assert calls == []  # what they write instead: test_graph_engine's run-directory checks
