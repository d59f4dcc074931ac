"""docs/architecture.md's package graph is the one the imports draw.

The picture used to be drawn by hand and drifted (an arrow no import made, a package it
never named); now a change that adds or removes a dependency between rooms fails here
until `python tests/import_graph.py --write` redraws it, so the review sees the change.
"""

from __future__ import annotations

from tests import import_graph


def test_the_doc_draws_the_imports() -> None:
    assert import_graph.current() == import_graph.block()


def test_the_bottom_floor_imports_nothing_of_the_project() -> None:
    rooms = import_graph.graph()
    level = import_graph.floors(rooms)
    assert all(not rooms[n] for n, f in level.items() if f == 1)
    assert all(level[d] < level[n] for n, deps in rooms.items() for d in deps)


def test_the_pure_layers_stay_below_the_engine() -> None:
    level = import_graph.floors(import_graph.graph())
    assert level["treadpace.ftms"] == 1
    assert level["treadpace.plans"] < level["treadpace.engine"] < level["treadpace.session"]
