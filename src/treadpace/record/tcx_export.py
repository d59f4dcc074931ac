"""TCX (Training Center Database v2) for a treadmill run: the human-readable fallback to FIT.

One Activity with Sport "Running", one Lap per plan step, each with a Track of
Trackpoints (time, cumulative distance, heart rate; no Position: there is no
GPS on a treadmill). Speed goes in the Garmin ActivityExtension v2 (TPX Speed
per trackpoint, LX AvgSpeed per lap). Cadence is absent: treadmills do not
report it. TCX has no pause element; a pause shows as a gap in trackpoints.
Element order follows the schema's sequences, which validation checks.

The document is written as it is produced, element by element (indented by
one space per level), never held whole in memory: a long run's trackpoints
would otherwise cost a tree of objects many times the file's size.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

from treadpace.base.printable import printable
from treadpace.engine.events import RunState
from treadpace.plans.steps import StepRole
from treadpace.record.activity import Activity, Lap

TCD_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
AX_NS = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = (
    f"{TCD_NS} http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd "
    f"{AX_NS} http://www.garmin.com/xmlschemas/ActivityExtensionv2.xsd"
)


def iso(wall: float) -> str:
    return datetime.fromtimestamp(int(wall), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _num(value: float, digits: int = 3) -> str:
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text or "0"


class _Xml:
    """Indented XML to a text stream: the TCX namespace unprefixed, the extension as `ax:`."""

    def __init__(self, out: io.TextIOBase) -> None:
        self.out = out
        self.depth = 0

    def _start(self, tag: str, attrs: dict[str, str]) -> str:
        attributes = "".join(f" {name}={quoteattr(value)}" for name, value in attrs.items())
        indent = "\n" + " " * self.depth if self.depth else ""
        return f"{indent}<{tag}{attributes}"

    def open(self, tag: str, **attrs: str) -> None:
        self.out.write(self._start(tag, attrs) + ">")
        self.depth += 1

    def close(self, tag: str) -> None:
        self.depth -= 1
        self.out.write(f"\n{' ' * self.depth}</{tag}>")

    def leaf(self, tag: str, text: str | None, **attrs: str) -> None:
        # Names from a journal: XML 1.0 allows no control characters, and a reader shows them.
        text = printable(text) if text else text
        start = self._start(tag, attrs)
        self.out.write(f"{start}>{escape(text)}</{tag}>" if text else f"{start} />")


def _heart_rate(xml: _Xml, name: str, bpm: int | None) -> None:
    if bpm:
        xml.open(name)
        xml.leaf("Value", str(min(255, bpm)))
        xml.close(name)


def _lap(xml: _Xml, lap: Lap) -> None:
    xml.open("Lap", StartTime=iso(lap.start_wall))
    xml.leaf("TotalTimeSeconds", _num(lap.timer_s))
    xml.leaf("DistanceMeters", _num(lap.distance_m))
    xml.leaf("MaximumSpeed", _num(lap.max_speed_kmh / 3.6))
    energy = lap.energy_kcal
    xml.leaf("Calories", str(max(0, min(65535, round(energy)))) if energy else "0")
    _heart_rate(xml, "AverageHeartRateBpm", lap.avg_heart_rate)
    _heart_rate(xml, "MaximumHeartRateBpm", lap.max_heart_rate)
    # TCX knows only Active and Resting: a warm-up or cool-down is running all the same.
    resting = lap.step is not None and lap.step.role is StepRole.RECOVERY
    xml.leaf("Intensity", "Resting" if resting else "Active")
    xml.leaf("TriggerMethod", {"time": "Time", "distance": "Distance"}.get(lap.trigger, "Manual"))
    moving = [s for s in lap.samples if s.state == RunState.RUNNING]
    if moving:
        xml.open("Track")
        previous = None
        for sample in moving:
            if sample.second == previous:
                continue
            previous = sample.second
            xml.open("Trackpoint")
            xml.leaf("Time", iso(sample.wall))
            xml.leaf("DistanceMeters", _num(sample.distance_m, 2))
            _heart_rate(xml, "HeartRateBpm", sample.heart_rate_bpm)
            xml.open("Extensions")
            xml.open("ax:TPX")
            xml.leaf("ax:Speed", _num(sample.speed_ms))
            xml.close("ax:TPX")
            xml.close("Extensions")
            xml.close("Trackpoint")
        xml.close("Track")
    notes = lap.name + (
        f" (target {lap.step.pace_label})" if lap.step and lap.step.pace_label else ""
    )
    xml.leaf("Notes", notes)
    xml.open("Extensions")
    xml.open("ax:LX")
    xml.leaf("ax:AvgSpeed", _num(lap.avg_speed_kmh / 3.6))
    xml.close("ax:LX")
    xml.close("Extensions")
    xml.close("Lap")


def _version(xml: _Xml, major: int, minor: int) -> None:
    xml.open("Version")
    xml.leaf("VersionMajor", str(major))
    xml.leaf("VersionMinor", str(minor))
    xml.close("Version")


def _document(xml: _Xml, activity: Activity) -> None:
    xml.out.write("<?xml version='1.0' encoding='UTF-8'?>\n")
    xml.open(
        "TrainingCenterDatabase",
        **{
            "xmlns": TCD_NS,
            "xmlns:ax": AX_NS,
            "xmlns:xsi": XSI_NS,
            "xsi:schemaLocation": SCHEMA_LOCATION,
        },
    )
    xml.open("Activities")
    xml.open("Activity", Sport="Running")
    xml.leaf("Id", iso(activity.start_wall))
    # The schema wants at least one lap, even for a run that never got going.
    empty = Lap(
        0,
        activity.plan_name,
        None,
        activity.start_wall,
        activity.end_wall,
        0.0,
        0.0,
        False,
        False,
        (),
    )
    for lap in activity.laps or (empty,):
        _lap(xml, lap)
    truth = (
        "; distance and speed are the runner's true ones (calibrated belt or footpod)"
        if activity.true_pace
        else ""
    )
    xml.leaf(
        "Notes",
        f"{activity.plan_name} on a treadmill ({activity.device}): {activity.status}{truth}",
    )
    from treadpace import __version__

    parts = [int(p) if p.isdigit() else 0 for p in __version__.split(".")[:2]]
    major, minor = [*parts, 0, 0][:2]
    xml.open("Creator", **{"xsi:type": "Device_t"})
    xml.leaf("Name", "treadpace")
    xml.leaf("UnitId", "0")
    xml.leaf("ProductID", "0")
    _version(xml, major, minor)
    xml.close("Creator")
    xml.close("Activity")
    xml.close("Activities")
    xml.open("Author", **{"xsi:type": "Application_t"})
    xml.leaf("Name", "treadpace")
    xml.open("Build")
    _version(xml, major, minor)
    xml.close("Build")
    xml.leaf("LangID", "en")
    xml.leaf("PartNumber", "000-00000-00")
    xml.close("Author")
    xml.close("TrainingCenterDatabase")


def write_tcx(activity: Activity, out: BinaryIO) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="\n", write_through=False)
    try:
        _document(_Xml(text), activity)
        text.flush()
    finally:
        text.detach()  # the caller owns `out`
