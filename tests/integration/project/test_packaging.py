"""How treadpace is installed: one version everywhere, and no D-Bus unless a feature needs it.

dbus-fast is a Linux-only dependency (`sys_platform == 'linux'`); a machine without
it is played here by setting `sys.modules["dbus_fast"] = None` before the command
line starts, in a process of its own so no earlier import can hide a missing one.
"""

from __future__ import annotations

import importlib.metadata
import subprocess
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

import treadpace
from tests.run_proc import bare_env, treadpace_in
from tests.where import ROOT

WITHOUT_DBUS = """\
import sys
sys.modules["dbus_fast"] = None
from treadpace.cli import main
sys.argv = ["treadpace", *sys.argv[1:]]
main()
"""


def _treadpace(
    *args: str, home: Path, without_dbus: bool = False
) -> subprocess.CompletedProcess[str]:
    launch = ["-c", WITHOUT_DBUS] if without_dbus else ["-m", "treadpace"]
    return treadpace_in(bare_env(home), *args, cwd=home, launch=launch)


def test_the_version_is_declared_once_in_the_package() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    source = ROOT / project["tool"]["hatch"]["version"]["path"]
    assert source == Path(treadpace.__file__)


def test_the_installed_metadata_and_treadpace_version_agree(tmp_path: Path) -> None:
    installed = importlib.metadata.version("treadpace")
    assert installed == treadpace.__version__
    for args in (["--version"], ["version"]):
        result = _treadpace(*args, home=tmp_path)
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"{installed}\n"


def test_a_simulated_run_never_needs_dbus_fast(tmp_path: Path) -> None:
    result = _treadpace(
        "run", "thirds", "--simulate", "--yes", "--time-scale", "1000", "--no-record",
        home=tmp_path, without_dbus=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "finished: plan complete" in result.stdout


def test_the_bluetooth_features_without_dbus_fast_say_so_in_one_line(tmp_path: Path) -> None:
    for args, option in (
        (["simulate", "--ble", "--duration", "1"], "--ble"),
        (["run", "thirds", "--simulate", "--yes", "--no-record", "--broadcast", "rsc"],
         "--broadcast"),
    ):  # fmt: skip
        result = _treadpace(*args, home=tmp_path, without_dbus=True)
        assert result.returncode == 2, result.stdout + result.stderr
        assert result.stderr.startswith(f"error: {option}: expected ")
        assert "dbus-fast" in result.stderr and result.stderr.count("\n") == 1
        assert "plan complete" not in result.stdout


def test_dbus_fast_is_required_on_linux_only() -> None:
    requires = [Requirement(r) for r in importlib.metadata.requires("treadpace") or []]
    (dbus,) = [r for r in requires if r.name == "dbus-fast"]
    assert dbus.marker is not None
    for platform, needed in (("linux", True), ("darwin", False), ("win32", False)):
        assert dbus.marker.evaluate({"sys_platform": platform, "extra": ""}) is needed
