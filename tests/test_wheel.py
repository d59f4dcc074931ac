"""What a runner who installs the wheel (not a clone) gets: both packages, the shipped configs.

The wheel is built once for the module and installed alone (`--no-deps --no-index`)
into a new venv, which sees this environment's dependencies through a .pth file (no
network, no index) but not the editable checkout: `.pth` files in an added directory
are not processed, so `treadpace` and `treadpace_sim` can only come from the wheel.
Every command runs from a directory outside the checkout.

Next to the installed package sits a decoy `configs/` two levels up (where a
`pip install --target DIR` puts one's grandparent, DIR/..): the shipped plans and
models are the wheel's package data, never some folder that happens to be near it.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_PLANS = sorted(p.stem for p in (ROOT / "configs" / "plans").glob("*.yaml"))
SHIPPED_MODELS = sorted(p.stem for p in (ROOT / "configs" / "treadmills").glob("*.yaml"))
DECOY_MODEL = "name: decoy\ndescription: not a shipped model\n"


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    purelib: Path
    home: Path

    def run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.venv / "bin" / "treadpace"), *args],
            capture_output=True,
            text=True,
            cwd=self.home,
            env={
                "PATH": "/usr/bin:/bin",
                "HOME": str(self.home),
                "TREADPACE_CONFIG_HOME": str(self.home / "config"),
                "TREADPACE_HOME": str(self.home / "data"),
            },
            timeout=timeout,
            check=False,
        )

    def python(self, code: str) -> str:
        return subprocess.run(
            [str(self.venv / "bin" / "python"), "-c", code],
            capture_output=True, text=True, check=True, cwd=self.home, timeout=60,
        ).stdout.strip()  # fmt: skip


def _site_dirs() -> list[str]:
    """Where this environment's dependencies are: site dirs only, never the checkout's src/."""
    dirs = [sysconfig.get_paths()["purelib"], *(p for p in sys.path if "-packages" in p)]
    return [d for d in dict.fromkeys(dirs) if Path(d).is_dir()]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    tmp = tmp_path_factory.mktemp("wheel")
    wheels = tmp / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(wheels), str(ROOT)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("treadpace-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = Path(
        subprocess.run(
            [str(venv / "bin" / "python"), "-c",
             "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    )  # fmt: skip
    (purelib / "_deps_from_test_env.pth").write_text("".join(f"{d}\n" for d in _site_dirs()))
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
         "-q", "--no-deps", "--no-index", str(wheel)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    decoy = purelib.parent / "configs"
    (decoy / "treadmills").mkdir(parents=True)
    (decoy / "treadmills" / "decoy.yaml").write_text(DECOY_MODEL)
    (decoy / "plans").mkdir()
    home = tmp / "home"
    home.mkdir()
    return Installed(wheel, venv, purelib, home)


def test_the_wheel_holds_both_packages_and_every_shipped_config(installed: Installed) -> None:
    names = zipfile.ZipFile(installed.wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.startswith("treadpace-")}
    assert tops == {"treadpace", "treadpace_sim"}
    assert "treadpace_sim/bluez/peripheral.py" in names
    assert "treadpace_sim/py.typed" in names and "treadpace/py.typed" in names
    shipped = {
        str(p.relative_to(ROOT / "configs")) for p in (ROOT / "configs").rglob("*") if p.is_file()
    }
    packaged = {n.removeprefix("treadpace/_configs/") for n in names if "/_configs/" in n}
    assert packaged == shipped


def test_both_packages_are_imported_from_the_wheel(installed: Installed) -> None:
    where = installed.python("import treadpace, treadpace_sim; print(treadpace.__file__)")
    assert where.startswith(str(installed.purelib)), where
    sim = installed.python("import treadpace_sim; print(treadpace_sim.__file__)")
    assert sim.startswith(str(installed.purelib)), sim


def test_the_wheels_metadata_version_is_what_treadpace_version_prints(
    installed: Installed,
) -> None:
    metadata = installed.python("import importlib.metadata as m; print(m.version('treadpace'))")
    declared = installed.python("import treadpace; print(treadpace.__version__)")
    printed = installed.run("--version")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == f"{metadata}\n"
    assert metadata == declared


def test_a_wheel_install_lists_the_shipped_plans_and_models(installed: Installed) -> None:
    plans = installed.run("plan", "list")
    assert plans.returncode == 0, plans.stderr
    assert {line.split()[0] for line in plans.stdout.splitlines()[1:-1]} == set(SHIPPED_PLANS)
    models = installed.run("simulate", "--list")
    assert models.returncode == 0, models.stderr
    assert [line.split()[0] for line in models.stdout.splitlines()] == SHIPPED_MODELS


def test_a_wheel_install_runs_a_shipped_plan_by_name(installed: Installed) -> None:
    run = installed.run(
        "run", "thirds", "--simulate", "--model", "slow-belt", "--yes", "--virtual-clock"
    )  # the virtual clock: at 1000x a busy machine could leave the final stop unconfirmed
    assert run.returncode == 0, run.stdout + run.stderr
    assert "treadmill: simulated 'slow-belt'" in run.stdout, run.stdout
    assert "finished: plan complete" in run.stdout, run.stdout
    assert list((installed.home / "data").rglob("*.fit")), "the run was not exported"
