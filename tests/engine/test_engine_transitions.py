"""The run's transition table: its shape, and the copy in docs/architecture.md."""

from __future__ import annotations

import pytest

from tests.where import ROOT
from treadpace.engine.events import RunState
from treadpace.engine.transitions import (
    PAUSE_CAUSE,
    TRANSITIONS,
    Trigger,
    next_state,
    table_markdown,
)

DOC = ROOT / "docs" / "architecture.md"


def test_the_ends_have_no_way_out() -> None:
    for (state, _), _target in TRANSITIONS.items():
        assert state not in (RunState.FINISHED, RunState.ABORTED)


def test_every_state_is_reachable_from_idle_and_every_live_state_can_end() -> None:
    seen, todo = {RunState.IDLE}, [RunState.IDLE]
    while todo:
        here = todo.pop()
        for (state, _), target in TRANSITIONS.items():
            if state == here and target not in seen:
                seen.add(target)
                todo.append(target)
    assert seen == set(RunState)
    for state in set(RunState) - {RunState.FINISHED, RunState.ABORTED}:
        assert next_state(state, Trigger.ENDED) == RunState.ABORTED


def test_every_way_into_paused_records_its_cause() -> None:
    into_paused = {t for (_, t), target in TRANSITIONS.items() if target == RunState.PAUSED}
    assert into_paused == set(PAUSE_CAUSE)


@pytest.mark.parametrize("trigger", list(Trigger))
def test_a_trigger_with_no_row_changes_nothing(trigger: Trigger) -> None:
    for state in RunState:
        if (state, trigger) not in TRANSITIONS:
            assert next_state(state, trigger) is None


def test_the_table_in_the_docs_is_the_table_in_the_code() -> None:
    if not DOC.exists():
        pytest.skip(f"{DOC} is not in this checkout")
    assert table_markdown() in DOC.read_text(encoding="utf-8")
