"""Heart rate wherever a run shows: live zone, MQTT `hr_zone`, summary, report and FIT laps."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest
from garmin_fit_sdk import Decoder, Stream

from tests.sim_engine import drive_to_end
from treadpace.base.clock import VirtualClock
from treadpace.engine import Engine, EngineConfig, EventHub, RunFinished, RunState
from treadpace.engine.events import EngineEvent, Tick
from treadpace.engine.hr_stats import HrStats
from treadpace.mqtt.payloads import RunContext, telemetry
from treadpace.plans.hr_rule import HrRule
from treadpace.plans.steps import CompiledPlan, CompiledStep
from treadpace.plans.zones import zone_bounds, zone_of
from treadpace.record import Recorder, export_run
from treadpace.record.activity import build_activity
from treadpace.record.hr_zones import zone_seconds
from treadpace.record.journal import read_journal
from treadpace.record.run_report import step_rows
from treadpace.record.synthetic import SyntheticRun, synthetic_events
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.sim import SimLink
from treadpace.ui.summary_table import summary_text
from treadpace_sim.treadmill import SimulatedTreadmill

BOUNDS = zone_bounds(190, 55, "karvonen")  # 122, 136, 150, 163, 177, 190


async def _run(tmp_path: Path, *steps: CompiledStep) -> tuple[RunFinished, list[EngineEvent]]:
    model = tmp_path / "m.yaml"
    model.write_text("name: m\nrunner: {hr_rest: 55, hr_max: 190, hr_threshold: 12.0}\n")
    clock = VirtualClock()
    sim = SimulatedTreadmill(str(model), clock)
    hub = EventHub()
    sub = hub.subscribe()
    treadmill = FtmsTreadmill(SimLink(sim), clock)
    plan = CompiledPlan(name="hr", kind="custom", steps=steps)
    engine = Engine(treadmill, plan, EngineConfig(countdown_s=0, hr_zones=BOUNDS), clock, hub)

    result = await drive_to_end(engine, sim, treadmill, clock)
    return result, [e async for e in sub]


async def test_ticks_summaries_and_the_summary_text_carry_heart_rate(tmp_path: Path) -> None:
    result, events = await _run(
        tmp_path,
        CompiledStep("easy", "time", 300, 8.0),
        CompiledStep("hard", "time", 600, 12.5, hr=HrRule("cap", 160, 160, label="160 bpm")),
    )
    ticks = [e for e in events if isinstance(e, Tick) and e.heart_rate_bpm]
    assert ticks and all(t.hr_zone == zone_of(t.heart_rate_bpm or 0, BOUNDS) for t in ticks)
    assert {t.hr_zone for t in ticks} >= {0, 2, 3}
    easy, hard = result.steps
    easy_hr = [t.heart_rate_bpm or 0 for t in ticks if t.step_index == 0]
    assert easy.max_hr_bpm == max(easy_hr)
    assert easy.avg_hr_bpm is not None and easy.avg_hr_bpm < (hard.avg_hr_bpm or 0)
    assert sum(result.hr_zone_s) == pytest.approx(900, abs=5)
    text = summary_text(result, imperial=False)
    assert "avg HR" in text and "max HR" in text
    assert "time in zones: below z1" in text and "z3" in text
    assert "heart rate held the pace back: hard " in text
    assert hard.hr_held_s > 60 and easy.hr_held_s == 0


def test_hr_stats_count_time_per_zone_and_skip_gaps() -> None:
    stats = HrStats(BOUNDS)
    for t in range(0, 60):
        stats.feed(float(t), 140, True)  # zone 2
    stats.feed(80.0, 165, True)  # a 20 s gap: only 5 s of it counts
    stats.feed(81.0, None, True)
    assert stats.zone_s[2] == 59 + 5 and stats.zone_s[4] == 1
    assert stats.close_step() == (round((140 * 60 + 165) / 61), 165)
    assert HrStats(None).zone(150) is None and stats.zone(150) == 3


def test_mqtt_telemetry_carries_the_zone() -> None:
    tick = next(e for e in synthetic_events(SyntheticRun(zones=BOUNDS)) if isinstance(e, Tick))
    payload: dict[str, Any] = telemetry(tick, RunContext())
    assert payload["hr_zone"] == zone_of(tick.heart_rate_bpm or 0, BOUNDS)
    plain = next(e for e in synthetic_events(SyntheticRun()) if isinstance(e, Tick))
    assert telemetry(plain, RunContext())["hr_zone"] is None


def _journal(tmp_path: Path, run: SyntheticRun) -> Path:
    recorder = Recorder(tmp_path)
    for event in synthetic_events(run):
        recorder.handle(event)
    recorder.close()
    assert recorder.path is not None
    return recorder.path


def test_report_rows_and_fit_laps_carry_time_in_zone(tmp_path: Path) -> None:
    journal = _journal(tmp_path, SyntheticRun(zones=BOUNDS))
    activity = build_activity(read_journal(journal))
    rows = step_rows(activity, imperial=False)
    assert all(r.max_hr != "--" and r.zones for r in rows)
    laps = [zone_seconds(lap.samples) for lap in activity.laps]
    assert all(z is not None and sum(z) > 0 for z in laps)
    [fit] = export_run(journal, ["fit"])
    messages, errors = Decoder(Stream.from_file(str(fit))).read()
    assert errors == []
    zones = messages["time_in_zone_mesgs"]
    assert [m["reference_index"] for m in zones] == list(range(len(activity.laps)))
    for m, expected in zip(zones, laps, strict=True):
        assert expected is not None
        got = cast(list[float], m["time_in_hr_zone"])
        assert [round(x) for x in got] == [round(x) for x in expected]
    assert all(lap.get("avg_heart_rate") for lap in messages["lap_mesgs"])
    # a recording without zones writes none
    old = _journal(tmp_path / "old", SyntheticRun())
    [fit2] = export_run(old, ["fit"])
    messages2, _ = Decoder(Stream.from_file(str(fit2))).read()
    assert "time_in_zone_mesgs" not in messages2
    assert all(r.zones == "" for r in step_rows(build_activity(read_journal(old)), False))


def test_heart_rate_rules_and_zone_times_survive_the_journal() -> None:
    from treadpace.engine.events import RunStarted
    from treadpace.record.codec import decode_event, encode_event

    rule = HrRule("target", 140, 150, min_kmh=8.0, max_kmh=11.0, hold_back=False, label="z2")
    steps = (CompiledStep("a", "time", 60.0, 11.0, hr=rule), CompiledStep("b", "time", 60.0, 9.0))
    started = RunStarted(0.0, 1e9, "p", "custom", "p.yaml", steps, False, "sim")
    back = decode_event(encode_event(started))
    assert isinstance(back, RunStarted) and back.steps == steps
    zones = (0.0, 10.0, 110.0, 0.0, 0.0, 0.0)
    finished = RunFinished(1.0, 1e9, RunState.FINISHED, "done", 1.0, 2.0, (), hr_zone_s=zones)
    again = decode_event(encode_event(finished))
    assert isinstance(again, RunFinished) and again.hr_zone_s == (0.0, 10.0, 110.0, 0.0, 0.0, 0.0)


def test_the_image_chart_draws_the_plan_and_each_laps_rule(tmp_path: Path) -> None:
    from treadpace.record import run_chart as chart

    class Axis:
        def __init__(self) -> None:
            self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

        def __getattr__(self, name: str) -> Any:
            return lambda *a, **k: self.calls.append((name, a, k))

    rule = HrRule("cap", 160, 160)
    steps = (
        CompiledStep("easy", "time", 60.0, 9.0),
        CompiledStep("hard", "time", 60.0, 12.0, hr=rule),
    )
    run = SyntheticRun(zones=BOUNDS, steps=steps, device="ftms")
    activity = build_activity(read_journal(_journal(tmp_path, run)))
    ax, hr_ax = Axis(), Axis()
    chart._plan_line(ax, activity, [0.0] * len(activity.samples), imperial=False)
    chart._hr_rules(hr_ax, activity, lambda wall: wall)
    [(name, _, kw)] = ax.calls
    assert name == "plot" and kw["label"] == "plan"
    [(line, args, _)] = hr_ax.calls
    assert line == "hlines" and args[0] == 160
    plain = build_activity(read_journal(_journal(tmp_path / "p", SyntheticRun())))
    ax = Axis()
    chart._plan_line(ax, plain, [0.0] * len(plain.samples), imperial=False)
    assert ax.calls == []
