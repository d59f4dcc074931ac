"""Export a journal to FIT, TCX and CSV: the entry point the `run` command calls at the end.

Each file is written beside a temporary name and renamed into place, so an
export cut short never leaves a half-written file that an uploader could pick up.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from treadpace.errors import UserError
from treadpace.record.activity import Activity, build_activity
from treadpace.record.csv_export import write_csv
from treadpace.record.fit_export import write_fit
from treadpace.record.journal import read_journal
from treadpace.record.tcx_export import write_tcx

FORMATS: dict[str, Callable[[Activity, Path], Path]] = {
    "fit": write_fit,
    "tcx": write_tcx,
    "csv": write_csv,
}


def check_formats(formats: Sequence[str]) -> list[str]:
    wanted: list[str] = []
    for fmt in formats:
        key = fmt.lower().lstrip(".")
        if key not in FORMATS:
            if key == "gpx":
                raise UserError(
                    "--format: gpx is not offered (no GPS on a treadmill); use fit, tcx or csv"
                )
            raise UserError(f"--format: expected one of fit, tcx, csv, got {fmt!r}")
        if key not in wanted:
            wanted.append(key)
    return wanted


def write_format(activity: Activity, fmt: str, path: Path) -> Path:
    """Write one format atomically to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        FORMATS[fmt](activity, tmp)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise UserError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return path


def export_run(journal: Path, formats: list[str], out_dir: Path | None = None) -> list[Path]:
    """Export `journal` in each of `formats` to `out_dir` (default: beside the journal).

    Files are named after the journal: `<run id>.fit`, `.tcx`, `.csv`.
    Works on finished, aborted and interrupted (crashed) runs alike.
    """
    wanted = check_formats(formats)
    activity = build_activity(read_journal(journal))
    directory = out_dir if out_dir is not None else Path(journal).parent
    return [write_format(activity, fmt, directory / f"{activity.id}.{fmt}") for fmt in wanted]
