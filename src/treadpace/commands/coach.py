"""`treadpace next`: what to run next, from the history and the profile (program/next_run.py)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from treadpace.commands.options import ProfileOption
from treadpace.commands.record import DirOption


def next_command(
    directory: DirOption = None,
    profile: ProfileOption = None,
    write: Annotated[
        Path | None,
        typer.Option("--write", help="Save the suggestion as a plan file (a new file)."),
    ] = None,
) -> None:
    """Suggest the next run from your history: prints the plan and why."""
    import yaml

    from treadpace.base.user_error import UserError
    from treadpace.commands.plan import print_plan
    from treadpace.commands.record import _settings
    from treadpace.plans import compile_plan, load_profile
    from treadpace.plans.loader import plan_from_document
    from treadpace.plans.yaml_document import parse_yaml
    from treadpace.program.next_run import suggest
    from treadpace.record.runs import list_runs

    prof = load_profile(profile)
    folder, _ = _settings(directory, profile)
    advice = suggest(list_runs(folder), prof, time.time())
    text = yaml.safe_dump(advice.plan, sort_keys=False, allow_unicode=True)
    header = "".join(f"# {reason}\n" for reason in advice.reasons)
    source = str(write) if write is not None else "suggestion"
    plan = plan_from_document(parse_yaml(text, source))
    compiled = compile_plan(plan, prof, source)
    print_plan(compiled, prof)
    for reason in advice.reasons:
        print(f"why: {reason}")
    if write is None:
        return
    if write.exists() or write.is_symlink():
        raise UserError(f"{write}: --write: expected a new file name (it exists; not replaced)")
    try:
        write.write_text(header + text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{write}: --write: cannot write ({exc.strerror})") from None
    print(f"wrote {write}")


def register(app: typer.Typer) -> None:
    app.command("next")(next_command)
