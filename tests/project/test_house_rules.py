"""The shape the code keeps: small files and functions, a docstring each, no import circle.

One idea a file: a file may reach 700 lines when it is one cohesive thing (the
old limit of 450 pushed single ideas into several files), and functions stay under
60 (a typer command's signature, its option declarations, does not count: the body
does), so that each reads in one sitting; every module says why it exists; and
no module imports itself back through others, counting imports made only for type
checkers, so the layers in docs/architecture.md stay layers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests import import_graph
from tests.where import ROOT

TREES = {"src": ROOT / "src", "simulators": ROOT / "simulators"}
MAX_FILE_LINES = 700
MAX_FUNCTION_LINES = 60


MODULES = import_graph.modules()


def _imports(name: str, path: Path) -> set[str]:
    """The project modules `name` imports, at any depth of its code."""
    return import_graph.imports(name, path, MODULES)


def test_no_file_is_over_700_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in MODULES.values()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_FILE_LINES
    }
    assert long == {}


def test_no_function_is_over_60_lines() -> None:
    long: dict[str, int] = {}
    for path in MODULES.values():
        for node in ast.walk(import_graph.tree(path)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                body = (node.end_lineno or node.lineno) - node.body[0].lineno + 1
                if body > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = body
    assert long == {}


def test_every_module_says_why_it_exists() -> None:
    bare = [
        str(p.relative_to(ROOT))
        for p in MODULES.values()
        if p.read_text(encoding="utf-8").strip() and not ast.get_docstring(import_graph.tree(p))
    ]
    assert bare == []


def test_no_module_imports_itself_back() -> None:
    graph = {name: _imports(name, path) for name, path in MODULES.items()}
    circles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done

    def walk(name: str, path: list[str]) -> None:
        state[name] = 1
        for nxt in sorted(graph[name]):
            if state.get(nxt) == 1:
                circles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                walk(nxt, [*path, nxt])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name, [name])
    assert circles == []


@pytest.mark.parametrize("tree", sorted(TREES))
def test_the_trees_are_there(tree: str) -> None:
    assert any(p.is_relative_to(TREES[tree]) for p in MODULES.values())


def test_every_task_is_named() -> None:
    """A task's name says in a traceback or a hung run's dump what it was for.

    `clock.wait_for` alone wraps an awaitable it did not make (it may be a future, which
    has no name), with `ensure_future`; every other task is made with `create_task(...,
    name=...)`.
    """
    unnamed: list[str] = []
    for path in MODULES.values():
        for node in ast.walk(import_graph.tree(path)):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if node.func.attr == "create_task" and not any(k.arg == "name" for k in node.keywords):
                unnamed.append(where)
            if node.func.attr == "ensure_future" and not where.startswith("src/treadpace/base/"):
                unnamed.append(where)
    assert unnamed == []
