"""`treadpace init` checks each answer as it is typed and says what to do next.

Paces typed by hand were once checked only after every later question, with an
error pointing at `treadpace init:7`; the cap was a fixed 16 km/h whatever the
runner's paces; remote start was never asked about.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from treadpace.base.units import KMH_PER_MPH
from treadpace.base.user_error import UserError
from treadpace.cli import app
from treadpace.plans import load_profile

runner = CliRunner()


@pytest.fixture(autouse=True)
def _private_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TREADPACE_PROFILE", raising=False)
    monkeypatch.setenv("TREADPACE_CONFIG_HOME", str(tmp_path / "cfg"))


def init(*args: str, answers: list[str] | None = None) -> Result:
    text = None if answers is None else "\n".join(answers) + "\n"
    return runner.invoke(app, ["init", *args], input=text)


def written(tmp_path: Path) -> Path:
    return tmp_path / "cfg" / "profile.yaml"


def test_a_pace_slower_than_the_one_before_is_said_and_asked_again_at_once(
    tmp_path: Path,
) -> None:
    answers = ["metric", "Al", "-", "5:00", "6:00", "4:30", "4:10", "3:50"]
    # marathon (6:00) slower than easy: said now, asked again (4:30)
    result = init(answers=[*answers, "-", "", "", "-", "-", "n", "n"])
    assert result.exit_code == 0, result.output
    out = result.output
    reason = "expected marathon faster than easy (5:00/km), got 6:00/km"
    assert reason in out
    # said before the next question, not after all of them
    assert out.index(reason) < out.index("threshold pace")
    assert "treadpace init:" not in out
    profile = load_profile(written(tmp_path))
    assert profile.paces.marathon == 270.0


def test_paces_in_the_wrong_order_as_flags_are_one_line_naming_the_flag(tmp_path: Path) -> None:
    result = init("--yes", "--pace", "easy=5:00/km", "--pace", "marathon=6:00/km",
                  "--pace", "threshold=4:10/km", "--pace", "interval=3:50/km")  # fmt: skip
    assert isinstance(result.exception, UserError)
    message = str(result.exception)
    assert message.startswith("--pace: paces.marathon: expected marathon to be faster than easy")
    assert "treadpace init" not in message and "\n" not in message
    assert not written(tmp_path).exists()


def test_the_zones_are_printed_when_heart_rate_is_given(tmp_path: Path) -> None:
    result = init("--yes", "--max-hr", "190", "--rest-hr", "50")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "heart-rate zones (% of heart-rate reserve, max 190 bpm):" in lines
    assert sum(line.strip().startswith("zone ") for line in lines) == 5
    assert "heart-rate zones" not in init("--yes", "--force").output


def test_an_imperial_runner_reads_miles_first_and_every_runner_the_next_command(
    tmp_path: Path,
) -> None:
    result = init("--yes", "--units", "imperial", "--race", "5k=25:00")
    assert result.exit_code == 0, result.output
    marathon = next(line for line in result.output.splitlines() if "marathon" in line)
    assert marathon.split()[1] == "9:04/mi" and "mph" in marathon
    assert result.output.splitlines()[-1].startswith("next: treadpace run thirds")
    metric = init("--yes", "--force", "--race", "5k=25:00")
    marathon = next(line for line in metric.output.splitlines() if "marathon" in line)
    assert marathon.split()[1] == "5:38/km" and "km/h" in marathon


@pytest.mark.parametrize(
    ("race", "units", "cap"),
    [
        ("5k=17:00", "metric", 19.5),  # repetition 19.2 km/h: 16 km/h ran thirds capped
        ("5k=14:30", "metric", 23.0),
        ("5k=25:00", "metric", 13.5),
        ("5k=17:00", "imperial", 12.0 * KMH_PER_MPH),
    ],
)
def test_the_proposed_cap_is_just_above_the_fastest_training_pace(
    tmp_path: Path, race: str, units: str, cap: float
) -> None:
    result = init("--yes", "--race", race, "--units", units)
    assert result.exit_code == 0, result.output
    profile = load_profile(written(tmp_path))
    assert profile.max_speed_kmh == pytest.approx(cap)
    assert 3600 / profile.paces.repetition <= profile.max_speed_kmh
    assert "max speed: " in result.output and "repetition pace" in result.output


def test_a_known_treadmill_top_speed_caps_the_proposal(tmp_path: Path) -> None:
    result = init("--yes", "--race", "5k=17:00", "--treadmill-max-speed", "16")
    assert result.exit_code == 0, result.output
    assert load_profile(written(tmp_path)).max_speed_kmh == 16.0
    assert "max speed: 16 km/h, your treadmill's top speed" in result.output
    asked = init(
        "--force", "--race", "5k=17:00",
        answers=["metric", "Al", "18 km/h", "", "", "-", "-", "n", "n"],
    )  # fmt: skip
    assert asked.exit_code == 0, asked.output
    assert "Highest belt speed for you [18 km/h]" in asked.output
    assert load_profile(written(tmp_path)).max_speed_kmh == 18.0


def test_remote_start_is_asked_off_by_default_and_a_flag_with_yes(tmp_path: Path) -> None:
    assert init("--yes").exit_code == 0
    assert load_profile(written(tmp_path)).mqtt.allow_remote_start is False
    assert init("--yes", "--force", "--allow-remote-start").exit_code == 0
    assert load_profile(written(tmp_path)).mqtt.allow_remote_start is True
    asked = init(
        "--force", "--race", "5k=25:00",
        answers=["metric", "Al", "-", "", "", "-", "-", "y", "n"],
    )  # fmt: skip
    assert asked.exit_code == 0, asked.output
    assert "Remote start: Home Assistant (MQTT) or the live page" in asked.output
    assert load_profile(written(tmp_path)).mqtt.allow_remote_start is True
