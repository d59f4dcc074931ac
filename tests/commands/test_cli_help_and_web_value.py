"""`--help` shows no `<bool>` type for a flag; `--web nonsense` says what --web takes."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from treadpace import cli
from treadpace.cli import app

runner = CliRunner()


def every_command() -> list[list[str]]:
    """Every command and group, as the words that name it, from the built command tree."""
    out: list[list[str]] = []

    def walk(command: object, words: list[str]) -> None:
        out.append(words)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, [*words, name])

    walk(typer.main.get_command(app), [])
    return out


@pytest.mark.parametrize("words", every_command(), ids=lambda w: " ".join(w) or "treadpace")
def test_help_shows_no_type_for_a_flag(words: list[str]) -> None:
    result = runner.invoke(app, [*words, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output
    assert "--help" in result.output


def test_the_run_help_still_shows_the_types_of_options_that_take_values() -> None:
    text = runner.invoke(app, ["run", "--help"], terminal_width=100).output
    assert "<float>" in text and "HOST:PORT" in text


def main(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.argv", ["treadpace", *argv])
    with pytest.raises(SystemExit) as ended:
        cli.main()
    code = ended.value.code
    assert isinstance(code, int)
    return code


def test_a_word_after_web_that_is_no_address_says_what_web_expects(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "thirds", "--web", "nonsense", "--yes"], monkeypatch) == 2
    err = capsys.readouterr().err
    assert err == (
        "error: --web: expected HOST:PORT, :PORT or PORT (e.g. 0.0.0.0:8080) or nothing, "
        'got "nonsense"\n'
    )


def test_a_plan_after_web_is_still_the_plan_and_a_real_extra_word_is_said_as_such(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--web", "thirds", "extra"], monkeypatch) == 2
    err = capsys.readouterr().err
    assert "--web: expected" not in err and "extra" in err and err.count("\n") == 1
