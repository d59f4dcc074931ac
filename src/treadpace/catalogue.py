"""What `treadpace plan list` shows: one row per plan in the library.

Each plan is compiled for the runner's profile, so the length column is the
runner's own (a distance plan takes a faster runner less time). A user's plan
that does not load is listed with its one-line error rather than hidden or
stopping the listing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from treadpace.base.display import distance as format_distance
from treadpace.base.display import duration as format_duration
from treadpace.base.user_error import UserError
from treadpace.library import LibraryPlan, library
from treadpace.plans.profile import Profile


@dataclass(frozen=True)
class CatalogueRow:
    name: str
    shelf: str
    kind: str
    time_s: float | None
    distance_m: float | None
    length: str
    description: str

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "shelf": self.shelf,
            "kind": self.kind,
            "planned_time_s": None if self.time_s is None else round(self.time_s, 1),
            "planned_distance_m": None if self.distance_m is None else round(self.distance_m, 1),
            "description": self.description,
        }


def _first_line(text: str | None) -> str:
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()
    return ""


def _row(entry: LibraryPlan, profile: Profile) -> CatalogueRow:
    from treadpace.library import load_entry
    from treadpace.plans.loader import compile_plan

    try:
        plan = load_entry(entry)
        compiled = compile_plan(plan, profile, entry.where)
    except UserError as exc:
        return CatalogueRow(entry.name, entry.shelf, "?", None, None, "-", f"(not valid: {exc})")
    length = (
        f"{format_duration(compiled.total_time_s)}, "
        f"{format_distance(compiled.total_distance_m, profile.imperial)}"
    )
    return CatalogueRow(
        name=entry.name,
        shelf=entry.shelf,
        kind=compiled.kind,
        time_s=compiled.total_time_s,
        distance_m=compiled.total_distance_m,
        length=length,
        description=_first_line(plan.description),
    )


def catalogue_rows(profile: Profile) -> list[CatalogueRow]:
    return [_row(entry, profile) for entry in library().values()]


def format_rows(rows: list[CatalogueRow]) -> list[str]:
    """Aligned plain-text columns: name, kind, length, where from, description."""
    table = [("name", "kind", "length", "from", "description")]
    table += [(r.name, r.kind, r.length, r.shelf, r.description) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths, strict=True)) + "  " + row[4]
        for row in table
    ]
