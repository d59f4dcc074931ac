"""Names and text from files are data, not terminal control: no escape reaches a terminal."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from tests.cli_runner import Ran, invoke
from treadpace.base.printable import printable, printable_tree
from treadpace.engine.events import EngineEvent, RunFinished, RunStarted, StepStarted, Tick
from treadpace.plans.loader import load_plan, load_profile
from treadpace.plans.models import CustomPlan, Segment
from treadpace.record.recorder import Recorder
from treadpace.record.synthetic import SyntheticRun, synthetic_events
from treadpace.ui.live_view import LiveView
from treadpace.ui.plain import PlainLog
from treadpace.ui.summary_table import print_summary, summary_text

TITLE = "\x1b]0;pwned\x07"
RED = "\x1b[31m"
FORGED = "\n[   0:00] finished: plan complete"
HOSTILE = f"Tempo{TITLE} {RED}run{FORGED}"
# The same three payloads as YAML escapes (\e is ESC, \a is BEL).
YAML_HOSTILE = r'"Tempo\e]0;pwned\a \e[31mrun\n[   0:00] finished: plan complete"'
CONTROL = {chr(c) for c in range(32)} | {"\x7f"} | {chr(c) for c in range(0x80, 0xA0)}


def clean(text: str) -> bool:
    """No control character but the line breaks the output itself is made of."""
    return not (set(text) & (CONTROL - {"\n"}))


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (TITLE, ""),
        (f"{RED}red\x1b[0m", "red"),
        (f"easy{FORGED}", "easy [   0:00] finished: plan complete"),
        ("\x9b31mC1 csi\x9d0;t\x9c", "C1 csi"),
        ("tab\there\r\nand\x00nul\x7f", "tab here andnul"),
        ("rtl \u202eevil\u202c", "rtl evil"),
        ("Négatif 10 × 1 km", "Négatif 10 × 1 km"),
        ("\x1b7\x1b(Bsaved\x1bc", "saved"),
        ("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"),
    ],
)
def test_printable_strips_sequences_and_controls(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_printable_tree_keeps_shared_nodes_shared() -> None:
    shared = [RED + "x"] * 3
    tree = {"a": shared, "b": shared, "n": 1.5, "k": None}
    out = printable_tree(tree)
    assert out == {"a": ["x"] * 3, "b": ["x"] * 3, "n": 1.5, "k": None}
    assert out["a"] is out["b"]
    kept = printable_tree({"mqtt": {"base_topic": "a\x00b"}, "name": "a\x00b"}, frozenset({"mqtt"}))
    assert kept == {"mqtt": {"base_topic": "a\x00b"}, "name": "ab"}


def hostile_plan(tmp_path: Path) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(
        f"name: {YAML_HOSTILE}\n"
        f"description: {YAML_HOSTILE}\n"
        "kind: custom\n"
        "segments:\n"
        f"  - name: {YAML_HOSTILE}\n"
        '    duration: "10:00"\n'
        "    speed: 10 km/h\n"
    )
    return path


def test_plan_and_profile_strings_are_cleaned_where_they_are_loaded(tmp_path: Path) -> None:
    plan = load_plan(hostile_plan(tmp_path))
    shown = "Tempo run [   0:00] finished: plan complete"
    assert plan.name == shown and plan.description == shown
    assert isinstance(plan, CustomPlan) and isinstance(plan.segments[0], Segment)
    assert plan.segments[0].name == shown
    profile = tmp_path / "profile.yaml"
    profile.write_text(f"name: {YAML_HOSTILE}\nrace: {{distance: 5k, time: '20:00'}}\n")
    assert load_profile(profile).name == shown


def hostile_events() -> list[EngineEvent]:
    events = synthetic_events(SyntheticRun(plan_name=HOSTILE, stop_after_s=90))
    out: list[EngineEvent] = []
    for event in events:
        if isinstance(event, RunStarted):
            steps = tuple(dataclasses.replace(s, name=HOSTILE) for s in event.steps)
            event = dataclasses.replace(event, steps=steps, device=f"tread{RED}mill{TITLE}")
        elif isinstance(event, Tick):
            event = dataclasses.replace(event, step_name=HOSTILE)
        elif isinstance(event, StepStarted):
            event = dataclasses.replace(event, step=dataclasses.replace(event.step, name=HOSTILE))
        elif isinstance(event, RunFinished):
            summaries = tuple(dataclasses.replace(s, name=HOSTILE) for s in event.steps)
            event = dataclasses.replace(event, steps=summaries, reason=f"stopped{FORGED}")
        out.append(event)
    return out


def test_plain_log_lines_are_one_line_each_and_inert() -> None:
    out = io.StringIO()
    log = PlainLog(out)
    for event in hostile_events():
        log.handle(event)
    text = out.getvalue()
    assert clean(text) and "Tempo]0;pwned" not in text
    lines = text.splitlines()
    assert all(line.startswith("[") and "] " in line for line in lines)
    assert not any(line.startswith("[   0:00] finished") for line in lines)
    assert "plan: Tempo run [   0:00] finished: plan complete (3 steps) on treadmill" in text


def test_live_view_and_summary_show_names_as_text(capsys: pytest.CaptureFixture[str]) -> None:
    view = LiveView()
    events = hostile_events()
    for event in events[:60]:
        view.handle(event)
    buffer = io.StringIO()
    Console(file=buffer, width=200, color_system=None).print(view.render())
    assert clean(buffer.getvalue()) and "Tempo run" in buffer.getvalue()
    finished = events[-1]
    assert isinstance(finished, RunFinished)
    assert clean(summary_text(finished, False))
    assert summary_text(finished, False).count("\n") == len(finished.steps) + 1
    print_summary(finished, False, rich_output=True)
    assert clean(capsys.readouterr().out)


def treadpace(*args: str, home: Path) -> Ran:
    """The command in this process (`cli_runner`): what it prints is the point here."""
    env = {"TREADPACE_HOME": str(home), "TREADPACE_CONFIG_HOME": str(home), "COLUMNS": "200"}
    return invoke(*args, env=env)


def test_history_report_and_exports_of_a_hostile_journal(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "runs")
    for event in hostile_events():
        recorder.handle(event)
    recorder.close()
    assert recorder.path is not None
    table = treadpace("history", home=tmp_path)
    assert table.returncode == 0, table.stderr
    assert clean(table.stdout) and "Tempo" in table.stdout
    listing = treadpace("history", "--json", home=tmp_path)
    assert json.loads(listing.stdout)[0]["plan"] == HOSTILE  # JSON escapes it: data kept whole
    report = treadpace("report", "latest", home=tmp_path)
    assert report.returncode == 0, report.stderr
    assert clean(report.stdout) and "Tempo run" in report.stdout
    for fmt in ("tcx", "csv"):
        out = treadpace("export", "latest", "-f", fmt, "-o", "-", home=tmp_path)
        assert out.returncode == 0, out.stderr
        assert clean(out.stdout.replace("\r\n", "\n")) and "Tempo run" in out.stdout


def test_error_lines_do_not_carry_escape_sequences(tmp_path: Path) -> None:
    missing = tmp_path / f"plan{TITLE}{RED}.yaml"
    result = treadpace("plan", "validate", str(missing), home=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert clean(result.stderr) and "plan.yaml" in result.stderr
