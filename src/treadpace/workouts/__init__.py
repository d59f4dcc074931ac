"""Workouts from other tools, in and out: Zwift .zwo, intervals.icu text, Garmin FIT workouts.

Importers are pure: the file's bytes in, a plan out, as the plain mapping a
runner would write in YAML (a `custom` plan whose every step says its unit), so
an imported workout goes through the same loader, rules and messages as any
plan. Exporters take a compiled plan (exact speeds for one runner) and return
the file's bytes. Whatever a format can say that a treadmill plan cannot
(cadence, power or heart-rate targets, a step ended by the lap button) is
refused with the construct named, never dropped; what treadpace can say that a
format cannot (incline in FIT or .zwo) is said in a note.
"""

from __future__ import annotations

from pathlib import Path

from treadpace.workouts.common import Imported, WorkoutError

IMPORT_SUFFIXES = {".zwo": "zwo", ".fit": "fit", ".txt": "icu"}
"""What `run FILE` and `plan import FILE` read, by file name."""

__all__ = ["IMPORT_SUFFIXES", "Imported", "WorkoutError", "import_bytes", "is_workout_file"]


def is_workout_file(path: Path) -> bool:
    return path.suffix.lower() in IMPORT_SUFFIXES


def import_bytes(data: bytes, name: str, fmt: str) -> Imported:
    """Parse one workout file (`fmt`: zwo, icu or fit); WorkoutError names the element."""
    if fmt == "zwo":
        from treadpace.workouts.zwo import read_zwo

        return read_zwo(data, name)
    if fmt == "icu":
        from treadpace.workouts.icu_reader import read_icu

        return read_icu(data, name)
    if fmt == "fit":
        from treadpace.workouts.fit import read_fit

        return read_fit(data, name)
    raise WorkoutError(f"expected a format of zwo, icu or fit, got {fmt}")
