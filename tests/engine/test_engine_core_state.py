"""The engine core's state record: its sub-states, and one owner with no mixins around it.

The state machine (`test_engine_rules.py`) checks what the core does; these check
the shape that keeps it checkable: the flags are typed sub-states of one record
(a started-by-us belt is never forgotten by a later ask, one write in flight at a
time, the end's phases in order), the core's classes inherit nothing, and only
the policy assigns the policy's fields.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from treadpace.engine import answers, commands, core, deadlines, reactions, run_core
from treadpace.engine.causes import EndCause
from treadpace.engine.core_state import CoreState, Ending, EndPhase, Start, Writes
from treadpace.engine.events import RunState
from treadpace.engine.messages import Write, WriteOp

ENGINE = Path(run_core.__file__).parent


def test_a_belt_started_by_us_stays_ours_whatever_is_asked() -> None:
    assert Start.NOT_ASKED.asked() is Start.ASKED
    assert Start.ASKED.unasked() is Start.NOT_ASKED
    assert Start.OURS.asked() is Start.OURS  # a late START key does not forget the stop
    assert Start.OURS.unasked() is Start.OURS


def test_one_write_in_flight_and_the_queue_in_order() -> None:
    w = Writes().sent(Write(WriteOp.SPEED, 8.0))
    with pytest.raises(AssertionError):
        w.sent(Write(WriteOp.INCLINE, 1.0))
    w = w.queue(WriteOp.PAUSE).queue(WriteOp.RESUME).queue(WriteOp.RESUME)
    assert w.without_first(WriteOp.RESUME).queued == (WriteOp.PAUSE, WriteOp.RESUME)
    assert w.without(WriteOp.RESUME, WriteOp.PAUSE).queued == ()
    op, rest = w.answered().popped()
    assert op == WriteOp.PAUSE and rest.queued == (WriteOp.RESUME, WriteOp.RESUME)
    assert rest.in_flight is None


def test_the_end_goes_decided_stopping_done() -> None:
    st = CoreState()
    assert not (st.ended or st.finishing or st.done)
    st.ending = Ending(RunState.ABORTED, "stopped by the runner", EndCause.RUNNER_STOP)
    assert st.ended and not st.finishing and not st.done
    st.ending = Ending(RunState.ABORTED, "x", EndCause.RUNNER_STOP, EndPhase.STOPPING)
    assert st.finishing and not st.done
    st.ending = Ending(RunState.ABORTED, "x", EndCause.RUNNER_STOP, EndPhase.DONE)
    assert st.finishing and st.done


def test_the_core_is_one_owner_with_no_mixins() -> None:
    assert core.EngineCore.__bases__ == (object,)
    assert run_core.RunCore.__bases__ == (object,)
    for rules in (answers, commands, reactions, deadlines):
        classes = [c for _, c in inspect.getmembers(rules, inspect.isclass)]
        assert [c for c in classes if c.__module__ == rules.__name__] == [], rules.__name__


def _policy_fields_assigned(path: Path) -> list[str]:
    """`x.policy.f = ...` or `pol.f = ...` (also `+=`) in one source file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AugAssign | ast.AnnAssign)
            else []
        )
        for t in targets:
            if not isinstance(t, ast.Attribute):
                continue
            owner = t.value
            if (isinstance(owner, ast.Attribute) and owner.attr == "policy") or (
                isinstance(owner, ast.Name) and owner.id in ("pol", "policy")
            ):
                found.append(f"{path.name}:{t.lineno} {ast.unparse(t)}")
    return found


def test_only_the_policy_assigns_its_fields() -> None:
    sources = [p for p in sorted(ENGINE.glob("*.py")) if p.name != "policy.py"]
    assert len(sources) > 10
    assert [hit for p in sources for hit in _policy_fields_assigned(p)] == []


def test_the_policy_check_sees_an_assignment(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f(core):\n    core.policy.sent_speed = None\n    pol.factor += 1\n")
    assert _policy_fields_assigned(bad) == [
        "bad.py:2 core.policy.sent_speed",
        "bad.py:3 pol.factor",
    ]
