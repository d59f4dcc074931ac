"""What a runner who installs the wheel (not a clone) gets: every advertised feature.

The wheel is built once for the run and installed alone (`--no-deps --no-index`)
into a new venv. Its runtime dependencies, and only those, are what the wheel's
metadata requires (no extra, markers for this machine), followed to their own
requirements: each such distribution of this environment is linked into one folder
that a .pth file adds (no network, no index, the same every run). The test extra
(matplotlib, garmin-fit-sdk before it was a dependency) is not there, nor the
editable checkout: `.pth` files in an added directory are not processed, so
`treadpace` and `treadpace_sim` can only come from the wheel. Every command runs
from a directory outside the checkout.

Next to the installed package sits a decoy `configs/` two levels up (where a
`pip install --target DIR` puts one's grandparent, DIR/..): the shipped plans and
models are the wheel's package data, never some folder that happens to be near it.
"""

from __future__ import annotations

import fcntl
import importlib.metadata
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.where import ROOT

SHIPPED_PLANS = sorted(p.stem for p in (ROOT / "configs" / "plans").glob("*.yaml"))
SHIPPED_MODELS = sorted(p.stem for p in (ROOT / "configs" / "treadmills").glob("*.yaml"))
DECOY_MODEL = "name: decoy\ndescription: not a shipped model\n"
ZWO = """<workout_file><name>Zwift run</name><sportType>run</sportType><workout>
  <Warmup Duration="300" PowerLow="0.70" PowerHigh="0.85" pace="1"/>
  <SteadyState Duration="600" Power="0.95" pace="2"/>
</workout></workout_file>
"""


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


def _runtime_distributions(wheel: Path) -> list[importlib.metadata.Distribution]:
    """The distributions the wheel needs to run here: its requirements, followed down."""
    with zipfile.ZipFile(wheel) as archive:
        (name,) = (n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = HeaderParser().parsestr(archive.read(name).decode())
    todo = [Requirement(r) for r in metadata.get_all("Requires-Dist") or []]
    found: dict[str, importlib.metadata.Distribution] = {}
    while todo:
        req = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue  # an extra's, or another platform's
        key = req.name.lower().replace("_", "-")
        if key not in found:
            found[key] = dist = importlib.metadata.distribution(req.name)
            todo += [Requirement(r) for r in dist.requires or []]
    return list(found.values())


def _link_runtime(wheel: Path, folder: Path) -> None:
    """Each runtime distribution's top-level files and folders, linked into `folder`."""
    folder.mkdir()
    for dist in _runtime_distributions(wheel):
        tops = {str(f).split("/")[0] for f in dist.files or () if not str(f).startswith("..")}
        for top in tops - {"__pycache__"}:
            target = Path(str(dist.locate_file(top)))
            if target.exists() and not (folder / top).exists():
                (folder / top).symlink_to(target)


def _build_and_install(tmp: Path) -> tuple[Path, Path, Path]:
    """Build the wheel into `tmp` and install it into a new venv there: (wheel, venv, purelib)."""
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
    _link_runtime(wheel, tmp / "runtime")
    (purelib / "_runtime_deps.pth").write_text(f"{tmp / 'runtime'}\n")
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
    return wheel, venv, purelib


def _once_a_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The wheel installed once for the whole test run, whichever workers ask for it.

    Its tests may be spread over several workers (each builds its module fixtures): the
    first to ask builds, under a lock in the run's shared temporary folder, and the
    others wait and take what it built. Outside a parallel run: built for this module.
    """
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None:
        return _build_and_install(tmp_path_factory.mktemp("wheel"))
    shared = tmp_path_factory.getbasetemp().parent / f"wheel-{run}"
    shared.mkdir(exist_ok=True)
    with (shared / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        made = shared / "made.txt"
        if not made.exists():
            made.write_text("\n".join(map(str, _build_and_install(shared / "tree"))))
        wheel, venv, purelib = (Path(line) for line in made.read_text().splitlines())
    return wheel, venv, purelib


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    wheel, venv, purelib = _once_a_run(tmp_path_factory)
    return Installed(wheel, venv, purelib, tmp_path_factory.mktemp("home"))


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


def test_only_the_runtime_dependencies_are_there(installed: Installed) -> None:
    # What the test extra brings must not be what makes a feature work from the wheel.
    found = installed.python(
        "import importlib.util as u;"
        "print([m for m in ('matplotlib', 'pytest', 'hypothesis', 'garmin_fit_sdk', 'fit_tool')"
        " if u.find_spec(m)])"
    )
    assert found == "['garmin_fit_sdk', 'fit_tool']"


def test_a_wheel_install_shows_imports_and_exports_workouts(installed: Installed) -> None:
    shown = installed.run("plan", "show", "thirds")
    assert shown.returncode == 0, shown.stderr
    assert "third 3" in shown.stdout
    paces = installed.run("paces", "--race", "5k=25:00")
    assert paces.returncode == 0 and "threshold" in paces.stdout, paces.stderr
    fit = installed.home / "thirds.fit"
    exported = installed.run("plan", "export", "thirds", "-f", "fit", "-o", str(fit))
    assert exported.returncode == 0, exported.stderr
    assert fit.read_bytes()[8:12] == b".FIT"
    imported = installed.run("plan", "import", str(fit))
    assert imported.returncode == 0, imported.stderr
    assert "kind: custom" in imported.stdout and "third 3" in imported.stdout
    zwo = installed.home / "run.zwo"
    zwo.write_text(ZWO)
    imported = installed.run("plan", "import", str(zwo))
    assert imported.returncode == 0, imported.stderr
    assert "kind: custom" in imported.stdout and "steadystate 2" in imported.stdout
    decoded = installed.run("ftms", "decode", "treadmill-data", "00 00 e8 03")
    assert decoded.returncode == 0, decoded.stderr
    assert '"instantaneous_speed_kmh": 10.0' in decoded.stdout


def test_a_wheel_install_runs_a_plan_and_reads_it_back(installed: Installed) -> None:
    run = installed.run(
        "run", "thirds", "--simulate", "--model", "slow-belt", "--yes", "--virtual-clock"
    )  # the virtual clock: at 1000x a busy machine could leave the final stop unconfirmed
    assert run.returncode == 0, run.stdout + run.stderr
    assert "treadmill: simulated 'slow-belt'" in run.stdout, run.stdout
    assert "finished: plan complete" in run.stdout, run.stdout
    assert list((installed.home / "data").rglob("*.fit")), "the run was not exported"
    listed = installed.run("history")
    assert listed.returncode == 0, listed.stderr
    assert "Thirds" in listed.stdout and "total: 0 run(s)" in listed.stdout
    tcx = installed.home / "latest.tcx"
    exported = installed.run("export", "latest", "-o", str(tcx))
    assert exported.returncode == 0, exported.stderr
    assert "<TrainingCenterDatabase" in tcx.read_text()
    report = installed.run("report", "latest")
    assert report.returncode == 0, report.stderr
    assert "third 3" in report.stdout
    # The image chart is the one feature behind an extra: it says so, in one line.
    chart = installed.run("report", "latest", "-o", str(installed.home / "chart.png"))
    assert chart.returncode == 2
    assert chart.stderr.count("\n") == 1 and "treadpace[chart]" in chart.stderr, chart.stderr
