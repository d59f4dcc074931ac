"""Plans by name: `plan list`, `run NAME`, `plan show NAME` (from a wheel: test_wheel.py).

The commands run in this process (`cli_runner`): a plan found by name or refused is
the command's doing, not the process's.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli_runner import Ran, invoke
from tests.run_proc import bare_env
from tests.where import ROOT

SHIPPED = sorted(p.stem for p in (ROOT / "configs" / "plans").glob("*.yaml"))


def treadpace(*args: str, home: Path, cwd: Path | None = None) -> Ran:
    return invoke(*args, env=bare_env(home, TREADPACE_VIRTUAL_CLOCK="1"), cwd=cwd or home)


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


def test_plan_validate_takes_names_and_paths(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text('kind: steady\nduration: "20:00"\n')
    result = treadpace("plan", "validate", "thirds", "mine.yaml", "thirdz", home=tmp_path)
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        "ok: thirds: thirds, 3 steps, 30:00",
        "ok: mine.yaml: steady, 1 step, 20:00",
    ]
    assert result.stderr.startswith("error: thirdz: expected a plan file or the name of a plan")
