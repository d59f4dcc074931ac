"""`treadpace init` with a private config home.

In the test's own process (`cli_runner`: the same `main()`, answers on its standard
input), where its exit code, what it prints and the profile it writes are what is
tested; the first start with nothing but PATH and HOME set is a real process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli_runner import Ran, invoke
from treadpace.plans import load_profile

KMH_PER_MPH = 1.609344


def init(home: Path, *args: str, answers: str = "") -> Ran:
    """`treadpace init ARGS...` in-process, in `home` with its configuration in home/cfg
    and nothing else of treadpace's or XDG's set (as `first_init` runs it)."""
    env: dict[str, str | None] = {"HOME": str(home), "TREADPACE_CONFIG_HOME": str(home / "cfg")}
    for unset in ("TREADPACE_HOME", "TREADPACE_PROFILE", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        env[unset] = None
    return invoke("init", *args, env=env, cwd=home, answers=answers)


def first_init(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`treadpace init ARGS...` as a first start: a process with only PATH and HOME."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "TREADPACE_CONFIG_HOME": str(home / "cfg")}
    return subprocess.run(
        [sys.executable, "-m", "treadpace", "init", *args],
        input="",
        capture_output=True,
        text=True,
        env=env,
        cwd=home,
        timeout=60,
        check=False,
    )


def test_flags_only_write_a_profile_the_loader_reads_and_print_its_paces(tmp_path: Path) -> None:
    result = init(tmp_path, "--race", "5k=25:00", "--units", "imperial", "--yes")
    assert result.returncode == 0, result.stderr
    written = tmp_path / "cfg" / "profile.yaml"
    assert f"wrote {written}" in result.stdout.splitlines()
    assert "VDOT 38.3 from your 5k in 25:00" in result.stdout
    profile = load_profile(written)
    assert profile.units == "imperial" and profile.vdot is not None
    assert round(profile.vdot, 1) == 38.3
    # just above the repetition pace (8.2 mph), on the half mph
    assert abs(profile.max_speed_kmh - 8.5 * KMH_PER_MPH) < 1e-9
    marathon = next(line for line in result.stdout.splitlines() if line.split()[:1] == ["marathon"])
    assert "5:38/km" in marathon and "9:04/mi" in marathon


def test_it_never_overwrites_without_asking(tmp_path: Path) -> None:
    assert init(tmp_path, "--race", "10k=50:00", "--yes").returncode == 0
    written = tmp_path / "cfg" / "profile.yaml"
    before = written.read_text()
    again = init(tmp_path, "--race", "5k=20:00", "--yes")
    assert again.returncode == 2
    assert (
        again.stderr
        == f"error: {written}: a profile is already there; expected --force to replace it\n"
    )
    assert written.read_text() == before
    declined = init(tmp_path, "--race", "5k=20:00", answers="n\n")
    assert declined.returncode == 0 and "kept the existing profile" in declined.stdout
    assert written.read_text() == before
    forced = init(tmp_path, "--race", "5k=20:00", "--yes", "--force")
    assert forced.returncode == 0 and '"5k"' in written.read_text()


def test_interactive_answers_paces_by_hand_limits_and_heart_rate(tmp_path: Path) -> None:
    answers = "\n".join(
        [
            "imperial",  # units
            "Bea",  # name
            "-",  # no race: paces by hand
            "8:30",  # easy (bare: the runner's unit)
            "seven",  # marathon: not a pace, asked again
            "7:17/mi",
            "6:50",
            "6:18",
            "-",  # the treadmill's top speed: not known
            "9.5",  # max speed in the runner's unit
            "12",  # max incline
            "187",  # max HR
            "55",  # rest HR
            "n",  # no remote start
            "n",  # no scan
        ]
    )
    result = init(tmp_path, answers=answers + "\n")
    assert result.returncode == 0, result.stderr + result.stdout
    assert 'got "seven"' in result.stdout  # the bad answer was said, then asked again
    profile = load_profile(tmp_path / "cfg" / "profile.yaml")
    assert profile.name == "Bea" and profile.imperial and profile.vdot is None
    assert abs(profile.paces.marathon - (7 * 60 + 17) / KMH_PER_MPH) < 1e-6
    assert abs(profile.max_speed_kmh - 9.5 * KMH_PER_MPH) < 1e-9
    assert profile.max_incline_percent == 12.0
    assert profile.heart_rate.max_bpm == 187 and profile.heart_rate.zones == "karvonen"
    assert profile.treadmill.address is None


def test_a_bad_flag_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    result = init(tmp_path, "--race", "5k=abc", "--yes")
    assert result.returncode == 2
    assert (
        result.stderr.startswith("error: --race: expected a time like")
        and result.stderr.count("\n") == 1
    )
    speed = init(tmp_path, "--max-speed", "fast", "--yes")
    assert speed.returncode == 2 and speed.stderr.startswith("error: --max-speed: expected a speed")
    assert not (tmp_path / "cfg" / "profile.yaml").exists()


def test_no_race_and_no_paces_with_yes_uses_the_default_race(tmp_path: Path) -> None:
    result = first_init(tmp_path, "--yes")
    assert result.returncode == 0, result.stderr
    assert "paces from a 25:00 5K" in result.stdout
    assert load_profile(tmp_path / "cfg" / "profile.yaml").units == "metric"


def pin(monkeypatch: pytest.MonkeyPatch, heard: list[Any], picks: list[int]) -> tuple[Any, Any]:
    """`init`'s Bluetooth pinning over a scan that hears `heard`, answered with `picks`."""
    from treadpace.commands import init as init_command
    from treadpace.plans.init_answers import Answers
    from treadpace.treadmill import ble_scan

    async def scan(
        timeout: float, *, hr: bool = False, footpod: bool = False, adapter: str | None = None
    ) -> list[Any]:
        return [h for h in heard if footpod or not h.footpod]

    questions: list[str] = []

    def ask(question: str, *_: Any) -> int:
        questions.append(question)
        return picks.pop(0)

    monkeypatch.setattr(ble_scan, "scan", scan)
    monkeypatch.setattr(init_command, "_ask", ask)
    answers = Answers()
    init_command._pin_devices(answers)
    return answers, questions


def test_pinning_offers_the_fitness_machines_heard_never_a_strap(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from treadpace.treadmill.ble_scan import Advertiser

    heard = [
        Advertiser("HRM", "AA:AA:AA:AA:AA:01", -40, False, None),  # loudest, but a strap
        Advertiser("Runner", "AA:AA:AA:AA:AA:02", -60, True, None),
    ]
    answers, questions = pin(monkeypatch, heard, [1])
    assert (answers.treadmill_address, answers.treadmill_name) == ("AA:AA:AA:AA:AA:02", "Runner")
    out = capsys.readouterr().out
    assert "Runner" in out and "HRM" not in out
    assert len(questions) == 1 and answers.footpod_address is None  # no pod heard: not asked


def test_pinning_offers_a_footpod_when_one_is_heard_and_the_profile_loads(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from treadpace.plans.init_answers import profile_text
    from treadpace.treadmill.ble_scan import Advertiser

    heard = [
        Advertiser("Runner", "AA:AA:AA:AA:AA:02", -60, True, None),
        Advertiser("Stryd", "AA:AA:AA:AA:AA:03", -50, False, None, footpod=True),
    ]
    answers, questions = pin(monkeypatch, heard, [1, 1])
    assert questions == ["Which treadmill (0 for none)", "Which footpod to use (0 for none)"]
    assert answers.footpod_address == "AA:AA:AA:AA:AA:03"
    answers.race_distance, answers.race_time = "5k", "25:00"
    path = tmp_path / "profile.yaml"
    path.write_text(profile_text(answers))
    profile = load_profile(path)
    assert profile.footpod is not None and profile.footpod.target == "AA:AA:AA:AA:AA:03"
    declined, _ = pin(monkeypatch, heard, [1, 0])
    assert declined.footpod_address is None
