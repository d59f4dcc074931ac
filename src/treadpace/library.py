"""The plan library: plans found by name, not only by path.

Two shelves: the plans shipped inside the package (package data, read with
`importlib.resources`, so a wheel install has them too) and the runner's own in
`<config home>/plans/`. A runner's plan with the same name as a shipped one
wins, like a file earlier on PATH. On the command line a path always wins over
a name: `treadpace run thirds` runs the shipped plan unless `./thirds` exists,
and what reads as a path (`thirds.yaml`, `./x`) is only ever a path. Names are
matched in any case (`Thirds`).
A path may also be a workout from another tool (.zwo, intervals.icu text, FIT),
which is why this sits above both `plans` and `workouts`.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib.resources
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from treadpace.base.paths import config_home, configs_dir
from treadpace.base.user_error import UserError

if TYPE_CHECKING:
    from treadpace.plans.models import Plan
    from treadpace.plans.profile import Profile
    from treadpace.plans.steps import CompiledPlan
    from treadpace.workouts import Imported

PLAN_SUFFIXES = (".yaml", ".yml")
Shelf = Literal["shipped", "user"]


@dataclass(frozen=True)
class LibraryPlan:
    """One plan on a shelf: its name (the file stem), where it lives, and its text."""

    name: str
    shelf: Shelf
    resource: Traversable

    @property
    def where(self) -> str:
        """What messages and recordings call it: the file for a user's plan, the name else."""
        if isinstance(self.resource, Path) and self.shelf == "user":
            return str(self.resource)
        return f"{self.name} (shipped plan)"

    def read_text(self) -> str:
        return self.resource.read_text(encoding="utf-8")


def user_plans_dir() -> Path:
    return config_home() / "plans"


def _shipped_root() -> Traversable:
    # A wheel carries configs/ as treadpace/_configs; a checkout has the repository's.
    packaged = importlib.resources.files("treadpace").joinpath("_configs", "plans")
    if packaged.is_dir():
        return packaged
    return configs_dir() / "plans"


def _shelf(root: Traversable, shelf: Shelf) -> list[LibraryPlan]:
    if not root.is_dir():
        return []
    found = []
    for entry in root.iterdir():
        stem, dot, suffix = entry.name.rpartition(".")
        if dot and f".{suffix.lower()}" in PLAN_SUFFIXES and stem and entry.is_file():
            found.append(LibraryPlan(name=stem, shelf=shelf, resource=entry))
    return sorted(found, key=lambda p: p.name)


def shipped_plans() -> list[LibraryPlan]:
    return _shelf(_shipped_root(), "shipped")


def user_plans() -> list[LibraryPlan]:
    return _shelf(user_plans_dir(), "user")


def library() -> dict[str, LibraryPlan]:
    """Every plan by name; a user's plan hides a shipped one of the same name."""
    out = {p.name: p for p in shipped_plans()}
    out.update({p.name: p for p in user_plans()})
    return dict(sorted(out.items()))


def looks_like_path(arg: str) -> bool:
    """A directory part, `.`/`~` in front, or a file suffix: the runner meant a file."""
    if "/" in arg or "\\" in arg or arg.startswith((".", "~")):
        return True
    from treadpace.workouts import IMPORT_SUFFIXES

    return Path(arg).suffix.lower() in (*PLAN_SUFFIXES, *IMPORT_SUFFIXES)


def _close_names(key: str, plans: dict[str, LibraryPlan]) -> str:
    close = difflib.get_close_matches(key.lower(), [n.lower() for n in plans], n=3, cutoff=0.5)
    by_lower = {n.lower(): n for n in plans}
    return " or ".join(by_lower[c] for c in close)


def find(arg: str) -> Path | LibraryPlan:
    """An existing file, else the plan of that name (any case).

    A path that does not exist is a UserError naming it (and the plans of a close
    name): `thirds.yml` never quietly runs the shipped `thirds`. An unknown name is a
    UserError listing the close matches. Both exit 2.
    """
    path = Path(arg).expanduser()
    if path.exists():
        return path
    plans = library()
    if looks_like_path(arg):
        close = _close_names(Path(arg).stem, plans)
        named = f"; the plan {close} runs by name (without .yaml)" if close else ""
        raise UserError(f"{arg}: expected an existing plan file (not found){named}")
    if arg in plans:
        return plans[arg]
    folded = [p for name, p in plans.items() if name.lower() == arg.lower()]
    if len(folded) == 1:
        return folded[0]
    close = _close_names(arg, plans)
    did = f"did you mean {close}? " if close else ""
    raise UserError(
        f"{arg}: expected a plan file or the name of a plan (no such file or plan); {did}"
        "`treadpace plan list` shows the plans by name"
    )


def load(arg: str) -> tuple[Plan, str]:
    """The plan `arg` names (path or name) and what to call its source in messages."""
    plan, source, _notes = load_with_notes(arg)
    return plan, source


def load_with_notes(arg: str) -> tuple[Plan, str, list[str]]:
    """Like `load`, and a workout file (.zwo, .fit, intervals.icu .txt) is imported."""
    from treadpace.plans.loader import load_plan

    found = find(arg)
    if isinstance(found, Path):
        from treadpace.workouts import is_workout_file

        if is_workout_file(found):
            return import_workout(found)
        return load_plan(found), str(found), []
    return load_entry(found), found.where, []


def read_workout(path: Path) -> Imported:
    """A workout file's plan mapping and notes (UserError naming the file and element)."""
    from treadpace.workouts import IMPORT_SUFFIXES, WorkoutError, import_bytes

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: expected an existing workout file (not found)") from None
    except OSError as exc:
        raise UserError(f"{path}: expected a readable workout file ({exc.strerror})") from None
    try:
        return import_bytes(data, path.name, IMPORT_SUFFIXES[path.suffix.lower()])
    except WorkoutError as exc:
        raise UserError(f"{path}: {exc}") from None


def import_workout(path: Path) -> tuple[Plan, str, list[str]]:
    """A workout file as a plan, through the same loader as a YAML plan."""
    from treadpace.plans.loader import plan_from_document
    from treadpace.plans.yaml_document import Document

    imported = read_workout(path)
    plan = plan_from_document(Document(path=str(path), data=imported.plan))
    return plan, str(path), imported.notes


def load_entry(entry: LibraryPlan) -> Plan:
    from treadpace.plans.loader import load_plan, plan_from_document
    from treadpace.plans.yaml_document import parse_yaml

    if isinstance(entry.resource, Path):
        return load_plan(entry.resource)
    try:
        text = entry.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{entry.where}: expected a readable plan file ({exc})") from None
    return plan_from_document(parse_yaml(text, entry.where))


def load_and_compile(arg: str, profile_path: Path | str | None) -> tuple[CompiledPlan, Profile]:
    """Like `treadpace.plans.load_and_compile`, with a plan name allowed in place of a path."""
    from treadpace.plans.loader import compile_plan, load_profile

    profile = load_profile(profile_path)
    if arg == "program:today":  # the saved program's workout for today (treadpace.program)
        from treadpace.program.service import today_plan

        plan, source, notes = today_plan(profile)
    else:
        plan, source, notes = load_with_notes(arg)
    compiled = compile_plan(plan, profile, source)
    if notes:
        compiled = dataclasses.replace(compiled, notes=(*notes, *compiled.notes))
    return compiled, profile
