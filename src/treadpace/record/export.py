"""Export a journal to FIT, TCX and CSV: the entry point the `run` command calls at the end.

Each file goes through `treadpace.record.output`: written to a temporary file
beside the target and renamed into place, and only over a regular file or to a
new name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

from treadpace.base.user_error import UserError
from treadpace.record.activity import Activity, build_activity
from treadpace.record.csv_export import write_csv
from treadpace.record.fit_export import write_fit
from treadpace.record.journal import read_journal
from treadpace.record.output import write_atomically
from treadpace.record.tcx_export import write_tcx

FORMATS: dict[str, Callable[[Activity, BinaryIO], None]] = {
    "fit": write_fit,
    "tcx": write_tcx,
    "csv": write_csv,
}


def check_formats(formats: Sequence[str]) -> list[str]:
    wanted: list[str] = []
    for fmt in formats:
        key = fmt.strip().lower().lstrip(".")
        if key not in FORMATS:
            if key == "gpx":
                raise UserError(
                    "--format: gpx is not offered (no GPS on a treadmill); use fit, tcx or csv"
                )
            raise UserError(f"--format: expected one of fit, tcx, csv, got {fmt!r}")
        if key not in wanted:
            wanted.append(key)
    if not wanted:
        raise UserError("--format: expected one of fit, tcx, csv, got nothing")
    return wanted


def check_suffix(path: Path, fmt: str) -> None:
    """A file name must say the format it holds: `run.gpx` is never written as FIT."""
    if path.suffix.lower() != f".{fmt}":
        raise UserError(f"{path}: -o: a {fmt} export needs a file name ending in .{fmt}")


def write_format(activity: Activity, fmt: str, path: Path) -> Path:
    """Write one format atomically to `path` (a new name or a regular file)."""
    return write_atomically(path, lambda out: FORMATS[fmt](activity, out))


def export_run(journal: Path, formats: list[str], out_dir: Path | None = None) -> list[Path]:
    """Export `journal` in each of `formats` to `out_dir` (default: beside the journal).

    Files are named after the journal: `<run id>.fit`, `.tcx`, `.csv`.
    Works on finished, aborted and interrupted (crashed) runs alike.
    """
    wanted = check_formats(formats)
    activity = build_activity(read_journal(journal))
    directory = out_dir if out_dir is not None else Path(journal).parent
    return [write_format(activity, fmt, directory / f"{activity.id}.{fmt}") for fmt in wanted]
