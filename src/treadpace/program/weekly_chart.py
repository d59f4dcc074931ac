"""The program's weeks as a PNG: weekly time (easy and faster parts) and distance.

matplotlib is the optional chart extra (`pip install 'treadpace[chart]'`), imported only
here and only when an image is asked for, with the Agg backend (no display needed), as
for `report -o`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from treadpace.base.units import METRES_PER_MILE
from treadpace.base.user_error import UserError
from treadpace.program.view import WeekRow
from treadpace.record.output import check_target, write_atomically


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise UserError(
            "program show -o: image charts need matplotlib (pip install 'treadpace[chart]');"
            " without -o the chart prints in the terminal"
        ) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def write_chart(rows: Sequence[WeekRow], path: Path, imperial: bool) -> Path:
    if path.suffix.lower() != ".png":
        raise UserError(f"{path}: -o: expected a .png file name")
    check_target(path)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=100)
    try:
        weeks = [f"W{r.week}" for r in rows]
        easy = [r.seconds * r.easy_share / 60 for r in rows]
        fast = [r.seconds * (1 - r.easy_share) / 60 for r in rows]
        ax.bar(weeks, easy, color="#4c72b0", label="easy")
        ax.bar(weeks, fast, bottom=easy, color="#dd8452", label="faster than easy")
        ax.set_ylabel("minutes a week")
        unit = METRES_PER_MILE if imperial else 1000.0
        other = ax.twinx()
        other.plot(weeks, [r.metres / unit for r in rows], color="#55a868", marker="o",
                   label="distance")  # fmt: skip
        other.set_ylabel("mi a week" if imperial else "km a week")
        other.set_ylim(bottom=0)
        ax.set_title("Program: time, distance and intensity by week")
        ax.legend(loc="upper left")
        write_atomically(path, lambda out: fig.savefig(out, format="png", bbox_inches="tight"))
    finally:
        plt.close(fig)
    return path
