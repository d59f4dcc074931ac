"""Recording runs: a crash-safe journal while the belt moves, FIT/TCX/CSV exports, history, report.

`Recorder(directory).consume(subscription)` is the live sink; `export_run(journal,
formats, out_dir)` turns a journal (finished or interrupted) into files for
Strava, Garmin Connect or a spreadsheet.
"""

from treadpace.record.export import export_run
from treadpace.record.recorder import NothingRecorded, Recorder

__all__ = ["NothingRecorded", "Recorder", "export_run"]
