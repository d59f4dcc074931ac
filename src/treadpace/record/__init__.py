"""Recording runs: a crash-safe journal while the belt moves, FIT/TCX/CSV exports, history, report.

`Recorder(directory).consume(subscription)` is the live sink; `export_run(journal,
formats, out_dir)` turns a journal (finished or interrupted) into files for
Strava, Garmin Connect or a spreadsheet.

The names are loaded when first used (as `treadpace.engine`'s), so that `history`,
which reads journals, loads neither the live recorder (asyncio with it) nor the
exporters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from treadpace.base.lazy_names import lazy_names

if TYPE_CHECKING:
    from treadpace.record.export import export_run
    from treadpace.record.recorder import NothingRecorded, Recorder

_HOME = {"export_run": "export", "NothingRecorded": "recorder", "Recorder": "recorder"}

__all__ = ["NothingRecorded", "Recorder", "export_run"]

__getattr__, __dir__ = lazy_names(__name__, _HOME)
