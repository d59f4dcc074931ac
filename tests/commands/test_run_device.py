"""Which treadmill `treadpace run` talks to (safety rule 6: only the configured one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import treadpace.commands.run as run_module
from tests.where import ROOT
from treadpace.base.user_error import UserError
from treadpace.cli import app
from treadpace.treadmill.port import NotConnected

PLAN = ROOT / "configs" / "plans" / "thirds.yaml"


class DeadLink:
    """A GattLink whose device is out of reach: nothing can ever move."""

    def __init__(self, target: str) -> None:
        self.target = target

    @property
    def name(self) -> str:
        return self.target

    @property
    def is_connected(self) -> bool:
        return False

    async def connect(self) -> None:
        raise NotConnected(f"{self.target}: not found")

    async def disconnect(self) -> None:
        return None

    def on_disconnect(self, callback: Any) -> None:
        return None


@pytest.fixture
def links(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    made: list[str] = []

    def fake(target: str, clock: Any) -> DeadLink:
        made.append(target)
        return DeadLink(target)

    monkeypatch.setattr(run_module, "_ble_link", fake)
    monkeypatch.setenv("TREADPACE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TREADPACE_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.delenv("TREADPACE_PROFILE", raising=False)
    return made


def pinned_profile(tmp_path: Path) -> Path:
    p = tmp_path / "pinned.yaml"
    p.write_text(
        'race: {distance: 5k, time: "25:00"}\n'
        "treadmill: {address: 'AA:BB:CC:DD:EE:FF'}\n"
        f"recording: {{directory: {tmp_path / 'runs'}, auto_export: []}}\n"
    )
    return p


def test_a_pinned_address_is_the_only_device_used(links: list[str], tmp_path: Path) -> None:
    r = CliRunner().invoke(
        app, ["run", str(PLAN), "--profile", str(pinned_profile(tmp_path)), "--yes"]
    )
    assert "treadmill: AA:BB:CC:DD:EE:FF (from the profile)" in r.output
    assert links == ["AA:BB:CC:DD:EE:FF"]
    assert r.exit_code == 1  # unreachable: the run ends, nothing was started


def test_device_option_overrides_and_simulate_never_touches_bluetooth(
    links: list[str], tmp_path: Path
) -> None:
    r = CliRunner().invoke(app, ["run", str(PLAN), "--device", "Omega Z", "--yes"])
    assert links == ["Omega Z"] and "treadmill: Omega Z" in r.output
    r = CliRunner().invoke(
        app,
        ["run", str(PLAN), "--profile", str(pinned_profile(tmp_path)), "--simulate", "--yes",
         "--virtual-clock"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert links == ["Omega Z"]  # no second Bluetooth link
    assert "treadmill: simulated 'generic' (--simulate)" in r.output


def test_time_scale_is_refused_on_a_real_treadmill(links: list[str]) -> None:
    r = CliRunner().invoke(app, ["run", str(PLAN), "--device", "AA:BB", "--time-scale", "10"])
    assert isinstance(r.exception, UserError)
    assert str(r.exception).startswith("--time-scale: only with the simulator")
    assert links == []
