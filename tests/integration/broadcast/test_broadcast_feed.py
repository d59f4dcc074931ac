"""What the broadcast sends, from engine events (pure), and how it is configured.

The feed's safety rules for a watch's recording: no news is 0 speed, and the
distance only grows. The settings: the profile's `broadcast:` section and the
`--broadcast` options fail in one line naming what was expected.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from treadpace.base.notice_level import NoticeLevel
from treadpace.base.user_error import UserError
from treadpace.broadcast.feed import BroadcastFeed
from treadpace.engine.events import Notice, NoticeKind, RunFinished, RunState, Tick
from treadpace.plans import load_profile
from treadpace.plans.broadcast_settings import BroadcastSettings, with_broadcast_options


def tick(t: float, kmh: float, metres: float, steps: int | None = None) -> Tick:
    return Tick(
        t=t,
        wall=t,
        state=RunState.RUNNING,
        step_index=0,
        step_name="a",
        speed_kmh=kmh,
        target_speed_kmh=kmh,
        incline_percent=1.5,
        target_incline_percent=1.5,
        heart_rate_bpm=150,
        distance_m=metres,
        elapsed_s=t,
        step_elapsed_s=t,
        step_distance_m=metres,
        step_remaining=100,
        progress=0.1,
        steps_count=steps,
    )


def test_speed_and_distance_come_from_the_ticks_on_the_wire_grid() -> None:
    feed = BroadcastFeed()
    assert feed.handle(tick(10.0, 10.0, 123.456))
    m = feed.rsc(10.5)
    assert m.speed_mps == round(10.0 / 3.6 * 256) / 256
    assert m.total_distance_m == 123.4  # floored: never ahead of the belt
    assert m.running and m.cadence_spm == 0  # no step counter: cadence unknown
    td = feed.treadmill_data(10.5, incline=True)
    assert (td.speed_kmh, td.total_distance_m, td.inclination_percent) == (10.0, 123, 1.5)
    assert td.heart_rate_bpm == 150 and td.elapsed_time_s == 10
    assert feed.treadmill_data(10.5, incline=False).inclination_percent is None


def test_a_lost_link_or_stale_data_is_zero_speed_and_the_distance_holds() -> None:
    feed = BroadcastFeed(stale_after_s=3.0)
    feed.handle(tick(10.0, 12.0, 500.0))
    assert feed.rsc(12.9).speed_mps > 0
    assert feed.rsc(13.1).speed_mps == 0  # no telemetry for 3 s
    feed.handle(tick(14.0, 12.0, 503.0))
    feed.handle(Notice(14.5, NoticeLevel.WARNING, "link lost", kind=NoticeKind.LINK_LOST))
    assert feed.rsc(14.6).speed_mps == 0
    assert feed.rsc(14.6).total_distance_m == 503.0
    feed.handle(tick(30.0, 12.0, 490.0))  # a belt that restarted its count after the drop
    assert feed.rsc(30.0).total_distance_m == 503.0
    assert feed.rsc(30.0).speed_mps > 0


def test_before_the_first_tick_and_after_the_run_the_footpod_stands_still() -> None:
    feed = BroadcastFeed()
    assert feed.rsc(0.0).speed_mps == 0
    feed.handle(tick(1.0, 9.0, 10.0))
    finished = RunFinished(2.0, 2.0, RunState.FINISHED, "plan complete", 10.5, 2.0, ())
    feed.handle(finished)
    assert feed.rsc(2.0).speed_mps == 0
    assert feed.rsc(2.0).total_distance_m == 10.5


def test_cadence_comes_from_the_belts_step_counter() -> None:
    feed = BroadcastFeed()
    feed.handle(tick(1.0, 10.0, 3.0, steps=100))
    assert feed.rsc(1.0).cadence_spm == 0
    feed.handle(tick(2.0, 10.0, 5.8, steps=103))
    assert feed.rsc(2.0).cadence_spm == 180
    feed.handle(Notice(2.5, NoticeLevel.WARNING, "link lost", kind=NoticeKind.LINK_LOST))
    feed.handle(tick(9.0, 10.0, 6.0, steps=120))  # no rate across the gap
    assert feed.rsc(9.0).cadence_spm == 0
    feed.handle(tick(10.0, 10.0, 8.8, steps=123))
    assert feed.rsc(10.0).cadence_spm == 180


def test_set_cumulative_moves_the_footpods_total_only() -> None:
    feed = BroadcastFeed()
    feed.handle(tick(1.0, 10.0, 250.0))
    feed.set_cumulative(0.0)
    feed.handle(tick(2.0, 10.0, 252.8))
    assert feed.rsc(2.0).total_distance_m == 2.8
    assert feed.treadmill_data(2.0, incline=True).total_distance_m == 252


def test_profile_section_and_options() -> None:
    settings = BroadcastSettings.model_validate(
        {"services": "rsc, ftms", "name": "Gym pod", "adapter": "hci1"}
    )
    assert settings.services == ["rsc", "ftms"]
    assert BroadcastSettings.model_validate({"services": "none"}).services == []


def write_profile(tmp_path: Path, section: str) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(f'race: {{distance: 5k, time: "25:00"}}\nbroadcast: {section}\n')
    return path


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("{services: [rsc, bike]}", "broadcast.services: expected rsc, ftms or rsc,ftms"),
        ("{adapter: usb0}", "broadcast.adapter: expected a Bluetooth adapter such as hci0"),
        ("{name: a name far too long for it}", "broadcast.name: expected a device name of at"),
        ("{colour: red}", "broadcast.colour: unknown key"),
    ],
)
def test_bad_profile_values_are_one_line(tmp_path: Path, section: str, message: str) -> None:
    path = write_profile(tmp_path, section)
    with pytest.raises(UserError) as info:
        load_profile(path)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_options_override_the_profile(tmp_path: Path) -> None:
    prof = load_profile(write_profile(tmp_path, "{services: [rsc], name: Pod}"))
    run = with_broadcast_options(prof, "ftms,rsc", "hci1")
    assert run.broadcast.services == ["ftms", "rsc"]
    assert (run.broadcast.adapter, run.broadcast.name) == ("hci1", "Pod")
    assert with_broadcast_options(prof, "none", None).broadcast.services == []
    with pytest.raises(UserError, match=r"^--broadcast: expected rsc, ftms or rsc,ftms"):
        with_broadcast_options(prof, "hrm", None)
    with pytest.raises(UserError, match=r"^--broadcast-adapter: expected a Bluetooth adapter"):
        with_broadcast_options(prof, None, "bt0")


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--broadcast", "bike"], "error: --broadcast: expected rsc, ftms or rsc,ftms, got 'bike'"),
        (["--broadcast-adapter", "hci1"], "error: --broadcast-adapter: only with --broadcast"),
    ],
)
def test_bad_options_are_one_line_exit_2(args: list[str], line: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "treadpace", "run", "thirds", "--simulate", "--yes", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(line) and result.stderr.count("\n") == 1


def test_the_live_view_says_who_uses_the_broadcast_one_line_at_a_time() -> None:
    from treadpace.ui.notices import NoticeBoard

    now = [0.0]
    board = NoticeBoard(now=lambda: now[0], lifetime_s=12.0)
    came = "a watch or app (F4:12:00:00:00:01) connected to the broadcast"
    went = "a watch or app (F4:12:00:00:00:01) left the broadcast"
    board.handle(Notice(1.0, NoticeLevel.INFO, came, kind=NoticeKind.BROADCAST_CLIENT))
    board.handle(tick(2.0, 10.0, 5.0))  # telemetry does not clear it
    assert board.messages() == [came]
    board.handle(Notice(3.0, NoticeLevel.INFO, went, kind=NoticeKind.BROADCAST_CLIENT))
    assert board.messages() == [went]  # replaced, not stacked
    now[0] = 13.0
    assert board.messages() == []  # and gone after a while
