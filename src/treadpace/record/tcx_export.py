"""TCX (Training Center Database v2) for a treadmill run: the human-readable fallback to FIT.

One Activity with Sport "Running", one Lap per plan step, each with a Track of
Trackpoints (time, cumulative distance, heart rate; no Position: there is no
GPS on a treadmill). Speed goes in the Garmin ActivityExtension v2 (TPX Speed
per trackpoint, LX AvgSpeed per lap). Cadence is absent: treadmills do not
report it. TCX has no pause element; a pause shows as a gap in trackpoints.
Element order follows the schema's sequences, which validation checks.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import BinaryIO

from treadpace.engine.events import RunState
from treadpace.record.activity import Activity, Lap

TCD_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
AX_NS = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = (
    f"{TCD_NS} http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd "
    f"{AX_NS} http://www.garmin.com/xmlschemas/ActivityExtensionv2.xsd"
)


def _tag(name: str) -> str:
    return f"{{{TCD_NS}}}{name}"


def _ax(name: str) -> str:
    return f"{{{AX_NS}}}{name}"


def iso(wall: float) -> str:
    return datetime.fromtimestamp(int(wall), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _num(value: float, digits: int = 3) -> str:
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text or "0"


def _sub(parent: ET.Element, name: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, _tag(name))
    if text is not None:
        element.text = text
    return element


def _heart_rate(parent: ET.Element, name: str, bpm: int | None) -> None:
    if bpm:
        _sub(_sub(parent, name), "Value", str(min(255, bpm)))


def _lap(parent: ET.Element, lap: Lap) -> None:
    element = _sub(parent, "Lap")
    element.set("StartTime", iso(lap.start_wall))
    _sub(element, "TotalTimeSeconds", _num(lap.timer_s))
    _sub(element, "DistanceMeters", _num(lap.distance_m))
    _sub(element, "MaximumSpeed", _num(lap.max_speed_kmh / 3.6))
    energy = lap.energy_kcal
    _sub(element, "Calories", str(max(0, min(65535, round(energy)))) if energy else "0")
    _heart_rate(element, "AverageHeartRateBpm", lap.avg_heart_rate)
    _heart_rate(element, "MaximumHeartRateBpm", lap.max_heart_rate)
    resting = any(word in lap.name.lower() for word in ("rest", "recover", "walk"))
    _sub(element, "Intensity", "Resting" if resting else "Active")
    trigger = {"time": "Time", "distance": "Distance"}.get(lap.trigger, "Manual")
    _sub(element, "TriggerMethod", trigger)
    moving = [s for s in lap.samples if s.state == RunState.RUNNING]
    if moving:
        track = _sub(element, "Track")
        previous = None
        for sample in moving:
            if sample.second == previous:
                continue
            previous = sample.second
            point = _sub(track, "Trackpoint")
            _sub(point, "Time", iso(sample.wall))
            _sub(point, "DistanceMeters", _num(sample.distance_m, 2))
            _heart_rate(point, "HeartRateBpm", sample.heart_rate_bpm)
            tpx = ET.SubElement(_sub(point, "Extensions"), _ax("TPX"))
            ET.SubElement(tpx, _ax("Speed")).text = _num(sample.speed_ms)
    notes = lap.name + (
        f" (target {lap.step.pace_label})" if lap.step and lap.step.pace_label else ""
    )
    _sub(element, "Notes", notes)
    lx = ET.SubElement(_sub(element, "Extensions"), _ax("LX"))
    ET.SubElement(lx, _ax("AvgSpeed")).text = _num(lap.avg_speed_kmh / 3.6)


def tcx_document(activity: Activity) -> ET.ElementTree[ET.Element]:
    ET.register_namespace("", TCD_NS)
    ET.register_namespace("ax", AX_NS)
    ET.register_namespace("xsi", XSI_NS)
    root = ET.Element(_tag("TrainingCenterDatabase"))
    root.set(f"{{{XSI_NS}}}schemaLocation", SCHEMA_LOCATION)
    node = _sub(_sub(root, "Activities"), "Activity")
    node.set("Sport", "Running")
    _sub(node, "Id", iso(activity.start_wall))
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
        _lap(node, lap)
    _sub(
        node, "Notes", f"{activity.plan_name} on a treadmill ({activity.device}): {activity.status}"
    )
    from treadpace import __version__

    parts = [int(p) if p.isdigit() else 0 for p in __version__.split(".")[:2]]
    major, minor = [*parts, 0, 0][:2]
    creator = _sub(node, "Creator")
    creator.set(f"{{{XSI_NS}}}type", "Device_t")
    _sub(creator, "Name", "treadpace")
    _sub(creator, "UnitId", "0")
    _sub(creator, "ProductID", "0")
    version = _sub(creator, "Version")
    _sub(version, "VersionMajor", str(major))
    _sub(version, "VersionMinor", str(minor))
    author = _sub(root, "Author")
    author.set(f"{{{XSI_NS}}}type", "Application_t")
    _sub(author, "Name", "treadpace")
    build = _sub(_sub(author, "Build"), "Version")
    _sub(build, "VersionMajor", str(major))
    _sub(build, "VersionMinor", str(minor))
    _sub(author, "LangID", "en")
    _sub(author, "PartNumber", "000-00000-00")
    ET.indent(root, space=" ")
    return ET.ElementTree(root)


def write_tcx(activity: Activity, out: BinaryIO) -> None:
    tcx_document(activity).write(out, encoding="UTF-8", xml_declaration=True)
