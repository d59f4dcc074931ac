"""A plan argument is a file when it reads as one, a library name (any case) otherwise.

`run thirds.yml` with no such file once ran the shipped `thirds` without a word:
a path that does not exist is an error naming it, and the plans of a close name.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from treadpace.base.user_error import UserError
from treadpace.cli import app
from treadpace.library import LibraryPlan, find

runner = CliRunner()


@pytest.fixture(autouse=True)
def _private_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TREADPACE_PROFILE", raising=False)
    monkeypatch.setenv("TREADPACE_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("arg", ["thirds.yml", "fast-finish.yaml", "Thirds.YAML", "thirds.zwo"])
def test_a_missing_file_is_refused_naming_it_and_the_plan_of_that_name(arg: str) -> None:
    with pytest.raises(UserError) as caught:
        find(arg)
    message = str(caught.value)
    assert message.startswith(f"{arg}: expected an existing plan file (not found)")
    stem = arg.split(".")[0].lower()
    assert f"the plan {stem} runs by name" in message


def test_a_missing_path_far_from_any_name_names_no_plan() -> None:
    with pytest.raises(UserError) as caught:
        find("./zzzzzz.yaml")
    assert "runs by name" not in str(caught.value)
    assert str(caught.value).startswith("./zzzzzz.yaml: expected an existing plan file")


@pytest.mark.parametrize("arg", ["Thirds", "THIRDS", "Fast-Finish"])
def test_names_are_matched_in_any_case(arg: str) -> None:
    found = find(arg)
    assert isinstance(found, LibraryPlan) and found.name == arg.lower()


def test_an_existing_file_still_wins(tmp_path: Path) -> None:
    (tmp_path / "thirds.yml").write_text('kind: steady\nduration: "5:00"\n')
    assert find("thirds.yml") == Path("thirds.yml")


@pytest.mark.parametrize(
    "args", [["plan", "show", "fast-finish.yaml"], ["run", "thirds.yml", "--yes"]]
)
def test_the_commands_refuse_a_missing_file_before_anything_runs(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert isinstance(result.exception, UserError)
    assert "expected an existing plan file (not found)" in str(result.exception)
    assert "profile:" not in result.output  # refused before the run said anything
