"""Plans by name: `plan list`, `run NAME`, `plan show NAME`, from a checkout and from a wheel."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted(p.stem for p in (ROOT / "configs" / "plans").glob("*.yaml"))


def _env(home: Path) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "TREADPACE_CONFIG_HOME": str(home / "config"),
        "TREADPACE_HOME": str(home / "data"),
        "TREADPACE_VIRTUAL_CLOCK": "1",
    }


def treadpace(
    *args: str, home: Path, cwd: Path | None = None, exe: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*(exe or [sys.executable, "-m", "treadpace"]), *args],
        capture_output=True,
        text=True,
        cwd=cwd or home,
        env=_env(home),
        timeout=120,
        check=False,
    )


def test_plan_list_shows_every_shipped_plan_with_kind_length_and_description(
    tmp_path: Path,
) -> None:
    result = treadpace("plan", "list", "--json", home=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert sorted(rows) == SHIPPED
    thirds = rows["thirds"]
    assert thirds["kind"] == "thirds" and thirds["shelf"] == "shipped"
    assert thirds["planned_time_s"] == 1800.0
    assert thirds["description"].startswith("A third easy")
    assert all(row["description"] for row in rows.values())
    text = treadpace("plan", "list", home=tmp_path).stdout.splitlines()
    assert text[0].split()[:4] == ["name", "kind", "length", "from"]
    assert any(line.split()[:3] == ["thirds", "thirds", "30:00,"] for line in text)


def test_a_users_plan_is_listed_and_hides_a_shipped_one_of_the_same_name(tmp_path: Path) -> None:
    mine = tmp_path / "config" / "plans"
    mine.mkdir(parents=True)
    (mine / "thirds.yaml").write_text('kind: steady\nduration: "20:00"\ndescription: mine\n')
    (mine / "hills.yml").write_text('kind: steady\nduration: "10:00"\nincline: 3\n')
    (mine / "broken.yaml").write_text("kind: steddy\n")
    rows = {
        r["name"]: r for r in json.loads(treadpace("plan", "list", "--json", home=tmp_path).stdout)
    }
    assert rows["thirds"]["shelf"] == "user" and rows["thirds"]["kind"] == "steady"
    assert rows["hills"]["planned_time_s"] == 600.0
    assert (
        rows["broken"]["kind"] == "?" and "kind: expected one of" in rows["broken"]["description"]
    )
    shown = treadpace("plan", "show", "thirds", "--json", home=tmp_path)
    assert json.loads(shown.stdout)["total_time_s"] == 1200.0


def test_plan_show_by_name_and_a_path_wins_over_a_name(tmp_path: Path) -> None:
    by_name = treadpace("plan", "show", "negative-split", "--json", home=tmp_path)
    assert by_name.returncode == 0, by_name.stderr
    assert json.loads(by_name.stdout)["kind"] == "negative-split"
    (tmp_path / "negative-split").write_text('kind: steady\nduration: "5:00"\n')
    by_path = treadpace("plan", "show", "negative-split", "--json", home=tmp_path)
    assert json.loads(by_path.stdout)["kind"] == "steady"


def test_an_unknown_name_lists_the_close_matches_and_exits_2(tmp_path: Path) -> None:
    result = treadpace("run", "thirdz", "--yes", home=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: thirdz: expected a plan file or the name of a plan")
    assert "did you mean thirds?" in result.stderr
    far = treadpace("plan", "show", "zzzzzz", home=tmp_path)
    assert far.returncode == 2 and "did you mean" not in far.stderr


def _site_packages() -> str:
    return sysconfig.get_paths()["purelib"]


def test_a_wheel_install_lists_and_runs_a_shipped_plan_by_name(tmp_path: Path) -> None:
    """Build the wheel, install it alone into a new venv, run `thirds` from outside the checkout.

    The new venv sees this environment's dependencies through a .pth line (no
    network, no index), but not the editable checkout: `.pth` files in an added
    directory are not processed, so `treadpace` can only come from the wheel.
    """
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(wheels), str(ROOT)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("treadpace-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    Path(purelib, "_deps_from_test_env.pth").write_text(_site_packages() + "\n")
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
         "--no-index", str(wheel)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    where = subprocess.run(
        [str(python), "-c", "import treadpace; print(treadpace.__file__)"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    ).stdout  # fmt: skip
    assert where.startswith(purelib), where
    exe = [str(venv / "bin" / "treadpace")]
    listed = treadpace("plan", "list", home=tmp_path, exe=exe)
    assert listed.returncode == 0, listed.stderr
    assert {line.split()[0] for line in listed.stdout.splitlines()[1:-1]} == set(SHIPPED)
    env_no_virtual = {k: v for k, v in _env(tmp_path).items() if k != "TREADPACE_VIRTUAL_CLOCK"}
    run = subprocess.run(
        [*exe, "run", "thirds", "--time-scale", "600", "--yes"],
        capture_output=True, text=True, cwd=tmp_path, env=env_no_virtual, timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "finished: plan complete" in run.stdout, run.stdout


def test_plan_validate_takes_names_and_paths(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text('kind: steady\nduration: "20:00"\n')
    result = treadpace("plan", "validate", "thirds", "mine.yaml", "thirdz", home=tmp_path)
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        "ok: thirds: thirds, 3 steps, 30:00",
        "ok: mine.yaml: steady, 1 step, 20:00",
    ]
    assert result.stderr.startswith("error: thirdz: expected a plan file or the name of a plan")
