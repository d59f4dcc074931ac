"""`treadpace plan import FILE` and `treadpace plan export PLAN --format fit|zwo`.

Import turns a Zwift .zwo, an intervals.icu text workout (.txt) or a Garmin FIT
workout into a plan (YAML on stdout, or `-o plan.yaml`), checked and compiled
for the runner first so a plan that will not run is said now; `run FILE` and
`plan show FILE` read the same files directly. Export compiles a plan for the
runner and writes it as a FIT workout (for a watch) or a .zwo (for Zwift).
Neither replaces an existing file without `--force`. Exit 2 on bad input.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated, BinaryIO

import typer

from treadpace.base.user_error import UserError
from treadpace.commands.options import ProfileOption

Force = Annotated[bool, typer.Option("--force", help="Replace the output file if it exists.")]


def _write(path: Path, data: bytes, force: bool, fmt: str) -> bool:
    """Write `data` to `path` (`-` is standard output); False when it went to stdout."""
    from treadpace.record.output import STDOUT, check_target, write_atomically, write_stdout

    def put(out: BinaryIO) -> None:
        out.write(data)

    if str(path) == STDOUT:
        write_stdout(fmt, put)
        return False
    check_target(path)  # a symlink, device, FIFO or directory in the way: one line
    if path.exists() and not force:
        raise UserError(f"{path}: expected a new file (it exists; --force replaces it)")
    write_atomically(path, put)
    return True


def import_command(
    file: Annotated[Path, typer.Argument(help="A .zwo, .fit or intervals.icu .txt workout.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the plan here (default: stdout).")
    ] = None,
    profile: ProfileOption = None,
    force: Force = False,
) -> None:
    """A workout from Zwift, intervals.icu or a Garmin FIT file, as a treadpace plan."""
    import yaml

    from treadpace.library import read_workout
    from treadpace.plans.loader import compile_plan, load_profile, plan_from_document
    from treadpace.plans.yaml_document import Document
    from treadpace.workouts import IMPORT_SUFFIXES

    if file.suffix.lower() not in IMPORT_SUFFIXES:
        raise UserError(f"{file}: expected a .zwo, .fit or .txt (intervals.icu) workout file")
    imported = read_workout(file)
    plan = plan_from_document(Document(path=str(file), data=imported.plan))
    compiled = compile_plan(plan, load_profile(profile), str(file))
    notes = imported.notes
    text = f"# Imported from {file.name} by treadpace plan import\n" + yaml.safe_dump(
        imported.plan, sort_keys=False, allow_unicode=True, width=100
    )
    if output is None:
        sys.stdout.write(text)
    else:
        if _write(output, text.encode("utf-8"), force, "yaml"):
            print(f"wrote {output}: {len(compiled.steps)} steps", file=sys.stderr)
    for note in [*notes, *compiled.notes]:
        print(f"note: {note}", file=sys.stderr)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "plan"


def export_command(
    plan: Annotated[str, typer.Argument(help="Plan file or name (see `treadpace plan list`).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="fit (Garmin watch) or zwo (Zwift).")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Output file (default: NAME.fit|zwo; - for stdout)."),
    ] = None,
    profile: ProfileOption = None,
    force: Force = False,
) -> None:
    """Your plan, compiled for you, as a FIT workout or a Zwift .zwo."""
    from treadpace.library import load_and_compile
    from treadpace.plans.draft import Ctx
    from treadpace.workouts import WorkoutError

    fmt = fmt.strip().lower()
    if fmt not in ("fit", "zwo"):
        raise UserError(f"--format: expected fit or zwo, got {fmt!r}")
    compiled, prof = load_and_compile(plan, profile)
    target = output or Path(f"{_slug(compiled.name)}.{fmt}")
    try:
        if fmt == "fit":
            from treadpace.workouts.fit import write_fit

            data = write_fit(compiled)
        else:
            from treadpace.workouts.zwo import write_zwo

            paces = Ctx(prof).paces
            # Zwift scales Power by the runner's own pace for the zone: 5K (zone 1) when the
            # profile has a race to predict it from, else threshold with no zone.
            reference, zone = (paces["5k"], "1") if "5k" in paces else (paces["threshold"], None)
            data = write_zwo(compiled, reference, zone).encode("utf-8")
    except WorkoutError as exc:
        raise UserError(f"{compiled.source or plan}: {exc}") from None
    report = sys.stdout if _write(target, data, force, fmt) else sys.stderr
    if report is sys.stdout:
        print(f"wrote {target}: {len(compiled.steps)} steps")
    inclined = sum(1 for s in compiled.steps if s.max_incline_percent)
    if inclined:
        print(
            f"note: {inclined} step{'s' if inclined != 1 else ''} with an incline: "
            f"a {fmt} workout cannot carry it",
            file=report,
        )
