"""`treadpace paces` and `treadpace plan show|validate|schema`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.run_proc import treadpace_in
from tests.where import ROOT
from treadpace.base.user_error import UserError
from treadpace.cli import app

PLANS = ROOT / "configs" / "plans"
PROFILES = ROOT / "configs" / "profiles"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_user_profile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TREADPACE_PROFILE", raising=False)
    monkeypatch.setenv("TREADPACE_CONFIG_HOME", str(tmp_path / "config"))


def treadpace(*args: str, env_home: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "TREADPACE_CONFIG_HOME": str(env_home), "HOME": str(env_home)}
    return treadpace_in(env, *args)


def test_paces_json_for_a_25_minute_5k() -> None:
    result = runner.invoke(app, ["paces", "--race", "5k=25:00", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["vdot"] == 38.3
    easy = data["paces"]["easy"]
    assert easy["min_s_per_km"] == pytest.approx(365.3, abs=0.05)
    assert easy["max_s_per_km"] == pytest.approx(412.0, abs=0.05)
    assert easy["min_s_per_mi"] == pytest.approx(365.3 * 1.609344, abs=0.2)
    assert set(easy) >= {"min_s_per_km", "max_s_per_km", "min_s_per_mi", "max_s_per_mi"}
    for name, s_per_km in [
        ("marathon", 338.3),
        ("threshold", 316.4),
        ("interval", 291.5),
        ("repetition", 271.5),
    ]:
        assert data["paces"][name]["s_per_km"] == pytest.approx(s_per_km, abs=0.05)
        assert data["paces"][name]["s_per_mi"] == pytest.approx(s_per_km * 1.609344, abs=0.2)


@pytest.mark.parametrize("value, shown", [(42.25, "42.3"), (42.35, "42.4"), (37.95, "38.0")])
def test_paces_vdot_halves_round_up(
    monkeypatch: pytest.MonkeyPatch, value: float, shown: str
) -> None:
    # An exact binary half (42.25) went to even (42.2) under `:.1f` and round().
    monkeypatch.setattr("treadpace.plans.vdot.vdot_from_race", lambda _m, _s: value)
    table = runner.invoke(app, ["paces", "--race", "5k=25:00"])
    assert table.exit_code == 0, table.output
    assert f"VDOT {shown} from 5k=25:00" in table.output
    data = json.loads(runner.invoke(app, ["paces", "--race", "5k=25:00", "--json"]).output)
    assert data["vdot"] == float(shown)


def test_paces_vdot_is_rounded_once_from_full_precision() -> None:
    # 5K in 25:12 is VDOT 37.9495: rounding it once gives 37.9; rounding to
    # 37.95 first and then again would claim 38.0, a VDOT the race did not show.
    result = runner.invoke(app, ["paces", "--race", "5k=25:12", "--json"])
    assert json.loads(result.output)["vdot"] == 37.9


def test_paces_table_and_other_distances() -> None:
    result = runner.invoke(app, ["paces", "--race", "half=1:31:35"])
    assert result.exit_code == 0, result.output
    assert "VDOT 50.0" in result.output
    assert "threshold" in result.output and "4:15/km" in result.output
    assert "marathon" in result.output


def test_paces_of_a_profile() -> None:
    result = runner.invoke(app, ["paces", "--profile", str(PROFILES / "imperial.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["vdot"] is None
    assert data["paces"]["marathon"]["s_per_mi"] == pytest.approx(437.0, abs=0.05)
    # Runner B: max 187, %HRmax zones, rounded half-up (93.5 -> 94).
    assert [z["min_bpm"] for z in data["heart_rate_zones"]] == [94, 112, 131, 150, 168]
    assert data["heart_rate_zones"][-1]["max_bpm"] == 187
    table = runner.invoke(app, ["paces", "--profile", str(PROFILES / "metric.yaml")])
    assert "Heart-rate zones" in table.output and "120-132" in table.output


@pytest.mark.parametrize("race", ["5k", "5k=", "5 furlongs=20:00", "5k=fast"])
def test_paces_bad_race(race: str) -> None:
    result = runner.invoke(app, ["paces", "--race", race])
    assert isinstance(result.exception, UserError)
    assert str(result.exception).startswith("--race: expected")


def test_plan_show_json_contract() -> None:
    result = runner.invoke(
        app,
        [
            "plan",
            "show",
            str(PLANS / "thirds.yaml"),
            "--profile",
            str(PROFILES / "metric.yaml"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [s["duration_s"] for s in data["steps"]] == [600.0, 600.0, 600.0]
    assert [s["speed_kmh"] for s in data["steps"]] == pytest.approx(
        [9.2308, 10.4348, 11.2853], abs=0.0001
    )
    assert all(s["incline_percent"] == 0 for s in data["steps"])
    assert data["total_time_s"] == 1800.0
    assert data["total_distance_m"] == pytest.approx(5158.5, abs=0.1)
    miles = json.loads(
        runner.invoke(app, ["plan", "show", str(PLANS / "each-mile-faster.yaml"), "--json"]).output
    )
    assert all(s["distance_m"] == 1609.344 and "duration_s" not in s for s in miles["steps"])


def test_plan_show_table_totals_and_chart() -> None:
    result = runner.invoke(
        app, ["plan", "show", str(PLANS / "thirds.yaml"), "-p", str(PROFILES / "imperial.yaml")]
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "8:30/mi" in out and "6:50/mi" in out and "8.8 mph" in out
    assert "total 4.01 mi in 30:00" in out
    assert "█" in out and "└" in out


def test_plan_validate_lines_and_exit_code(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: thirds\nduration: 30\n")
    result = treadpace("plan", "validate", str(PLANS / "thirds.yaml"), str(bad), env_home=tmp_path)
    assert result.returncode == 2
    assert result.stdout.splitlines() == [f"ok: {PLANS / 'thirds.yaml'}: thirds, 3 steps, 30:00"]
    assert result.stderr.splitlines() == [
        f'error: {bad}:2: duration: expected a duration like "30:00" or "30 min", got 30'
    ]
    ok = treadpace("plan", "validate", *map(str, sorted(PLANS.glob("*.yaml"))), env_home=tmp_path)
    assert ok.returncode == 0 and len(ok.stdout.splitlines()) == len(list(PLANS.glob("*.yaml")))


def test_plan_show_error_is_one_line_exit_2(tmp_path: Path) -> None:
    result = treadpace("plan", "show", str(tmp_path / "missing.yaml"), env_home=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr
        == f"error: {tmp_path / 'missing.yaml'}: expected an existing plan file (not found)\n"
    )
    assert "Traceback" not in result.stderr


def test_plan_schema_is_json_schema() -> None:
    result = runner.invoke(app, ["plan", "schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["title"] == "treadpace plan"
    kinds = {
        d["properties"]["kind"]["const"]
        for d in schema["$defs"].values()
        if "kind" in d.get("properties", {})
    }
    assert kinds == {
        "negative-split",
        "each-mile-faster",
        "each-km-faster",
        "each-interval-faster",
        "thirds",
        "fast-finish",
        "steady",
        "custom",
    }
    # The kind is chosen with if/then (validators ignore OpenAPI's discriminator).
    assert set(schema["properties"]["kind"]["enum"]) == kinds
    assert len(schema["allOf"]) == 8 and all("if" in branch for branch in schema["allOf"])
