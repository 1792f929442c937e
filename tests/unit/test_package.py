"""The installed layout: one `anysym` namespace, nothing leaking to the top level."""

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import anysym

REPO = Path(__file__).resolve().parents[2]
SKIP = {"tests", "build", "dist", ".typecheck", ".git", "docs", "examples", "scripts"}


def test_every_package_directory_is_declared() -> None:
    declared = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {"anysym"}
    for init in REPO.rglob("__init__.py"):
        rel = init.parent.relative_to(REPO)
        if rel.parts and (rel.parts[0] in SKIP or any(p.startswith(".") for p in rel.parts)):
            continue
        found.add(".".join(("anysym", *rel.parts)) if rel.parts else "anysym")
    assert found == declared


def test_no_top_level_modules_leak() -> None:
    code = (
        "import importlib.util as u; "
        "print([m for m in ('graph','nodes','language','executor') if u.find_spec(m)])"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd="/", capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_api_is_sorted_and_complete() -> None:
    assert anysym.__all__ == sorted(anysym.__all__)
    for name in anysym.__all__:
        assert getattr(anysym, name) is not None


def test_importing_the_package_loads_no_engine_and_every_name_resolves() -> None:
    code = (
        "import sys, anysym; "
        "roots = ('langgraph', 'langchain_core', 'chromadb'); "
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in roots); "
        "print(heavy, anysym.Flow.__module__, anysym.generate.__module__)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd="/", capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]", "anysym.language.flow", "anysym.graph.api"]
    assert set(anysym._EXPORTS) == set(anysym.__all__)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        anysym.nothing  # noqa: B018


ENTRY_POINTS = {"cli", "graph/studio.py", "bench/scripts"}
"""Where the environment may be read: the command line, the LangGraph server's module, authoring scripts."""
CHILD_ENVIRONMENTS = {"services/llm/server.py", "services/comfy/server.py"}
"""Managed servers hand the environment on to their child process (without configuring anything by it)."""


def test_the_library_never_reads_the_environment() -> None:
    """Configuration is passed in (`Paths`, `LLMSettings`, `RetrievalSettings`), never read by the library."""
    readers = []
    for path in REPO.rglob("*.py"):
        rel = path.relative_to(REPO).as_posix()
        if rel.split("/")[0] in SKIP or rel.startswith(".") or any(rel.startswith(e) for e in ENTRY_POINTS):
            continue
        if _reads_environment(ast.parse(path.read_text())) and rel not in CHILD_ENVIRONMENTS:
            readers.append(rel)
    assert readers == []
    assert _reads_environment(ast.parse("import os\nos.environ.get('X')"))
    assert _reads_environment(ast.parse("from os import getenv"))


def _reads_environment(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
            return True
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            if any(alias.name in ("environ", "getenv") for alias in node.names):
                return True
    return False


def test_default_paths_ignore_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from anysym.settings import Paths

    monkeypatch.setenv("ANYSYM_HOME", str(tmp_path))
    assert Paths.from_env({"ANYSYM_HOME": str(tmp_path)}).home == tmp_path.resolve()
    assert Paths.default().home != tmp_path.resolve()
    assert Paths.from_env({}) == Paths.default()


def test_runtime_code_never_reads_the_tests_folder() -> None:
    """`tests/` is not packaged: a command reading from it fails when installed from a wheel."""
    readers = []
    for path in REPO.rglob("*.py"):
        rel = path.relative_to(REPO).as_posix()
        if rel.split("/")[0] in SKIP or rel.startswith("."):
            continue
        constants = (n.value for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Constant))
        if any(isinstance(value, str) and value.strip("/") == "tests" for value in constants):
            readers.append(rel)
    assert readers == []
