"""Words from the command line taken without the library's pydantic adapters, and alike.

`cli._Command` (and `_Group`, for the group's own options) coerces `str`, `Path` and
flag values itself (the adapters' import costs more than most commands' own work).
Each case runs one command built twice, with the library's own classes and with
ours: the values the function receives, the output and the exit code must be the
same, errors (a path that must exist, a number that is not) included, and ours must
not have asked the library's adapters for a `str`, `Path` or flag.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pytest
import typer
import typer.core
from typer.core import TyperCommand, TyperGroup
from typer.testing import CliRunner

from treadpace.cli import _Command, _Group

ARGS = [
    [],
    ["word", "--path", "a/b"],
    ["word with spaces", "--path", ""],
    ["--flag", "--count", "3", "x"],
    ["x", "--must", "{missing}"],
    ["x", "--must", "{here}"],
    ["x", "--count", "three"],
    ["x", "--choice", "yes"],
    ["x", "--paths", "p", "--paths", "q"],
]


def _app(cls: type[TyperCommand], group: type[TyperGroup]) -> typer.Typer:
    app = typer.Typer(add_completion=False, cls=group)

    @app.command(cls=cls)
    def show(
        name: Annotated[str, typer.Argument()] = "someone",
        path: Annotated[Path | None, typer.Option("--path")] = None,
        flag: Annotated[bool, typer.Option("--flag")] = False,
        count: Annotated[int, typer.Option("--count")] = 1,
        must: Annotated[Path | None, typer.Option("--must", exists=True)] = None,
        choice: Annotated[bool, typer.Option("--choice")] = False,
        paths: Annotated[list[Path] | None, typer.Option("--paths")] = None,
    ) -> None:
        print(repr((name, path, flag, count, must, choice, paths)))

    @app.command()
    def other() -> None:  # two commands: the app is a group, as treadpace's is
        pass

    return app


@pytest.mark.parametrize("args", ARGS, ids=" ".join)
def test_the_same_values_output_and_errors(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "here").touch()
    argv = ["show"] + [a.format(missing=tmp_path / "no", here=tmp_path / "here") for a in args]
    adapted: list[Any] = []  # what the library built an adapter for
    build = typer.core.build_runtime_param  # type: ignore[attr-defined]

    def recording(descriptor: Any) -> Any:
        adapted.append(descriptor.annotation)
        return build(descriptor)

    monkeypatch.setattr(typer.core, "build_runtime_param", recording)
    runner = CliRunner()
    theirs = runner.invoke(_app(TyperCommand, TyperGroup), argv)
    assert adapted  # the recording sees the library at work
    adapted.clear()
    ours = runner.invoke(_app(_Command, _Group), argv)
    assert (ours.output, ours.exit_code) == (theirs.output, theirs.exit_code)
    assert ours.output  # the command ran, or said why not
    assert not {str, Path, bool} & set(adapted)  # taken by `_PlainValue`
