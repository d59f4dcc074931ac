"""`treadpace --help` lists every command from a table, so the table must say what they say.

Commands are built only when invoked (`cli.COMMANDS`); the help rows come from the
table. These tests build every module's commands and hold the table to them: the same
names, each in the module that registers it, each with its own first paragraph of help.
"""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from treadpace import cli
from treadpace.cli import COMMANDS, app, build_module


def first_paragraph(help_text: str) -> str:
    return " ".join(help_text.split("\n\n")[0].split())


def built() -> dict[str, tuple[str, str]]:
    """Every command the modules register: name -> (module, first paragraph of help)."""
    out: dict[str, tuple[str, str]] = {}
    for module in dict.fromkeys(module for module, _ in COMMANDS.values()):
        for name, command in build_module(module).items():
            out[name] = (module, first_paragraph(command.help or ""))
    return out


def test_the_table_names_every_command_with_its_own_help() -> None:
    assert built() == COMMANDS


def test_every_command_module_is_in_the_table() -> None:
    from pathlib import Path

    folder = Path(cli.__file__).parent / "commands"
    registering = {
        p.stem for p in folder.glob("*.py") if "def register(" in p.read_text(encoding="utf-8")
    }
    assert registering == {module for module, _ in COMMANDS.values()}


def test_help_lists_every_command_in_the_table_order() -> None:
    result = CliRunner().invoke(app, ["--help"], terminal_width=100)
    assert result.exit_code == 0
    rows = [line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line]
    assert rows == ["version", *COMMANDS]


@pytest.mark.parametrize("words", [["next"], ["history"], ["plan", "list"], ["mqtt"]])
def test_a_command_builds_its_own_module_alone(
    words: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    built_modules: list[str] = []

    def recording(module: str) -> dict[str, Any]:
        built_modules.append(module)
        return build_module(module)

    monkeypatch.setattr(cli, "build_module", recording)
    result = CliRunner().invoke(app, [*words, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    assert built_modules == [COMMANDS[words[0]][0]]


def test_help_builds_no_command(monkeypatch: pytest.MonkeyPatch) -> None:
    built_modules: list[str] = []
    monkeypatch.setattr(cli, "build_module", built_modules.append)
    assert CliRunner().invoke(app, ["--help"], terminal_width=100).exit_code == 0
    assert built_modules == []
