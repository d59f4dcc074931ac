"""FIT activity file for a treadmill run, written with the fit-tool library.

Message layout (Garmin's "Activity File" guidance): File Id (type activity)
first, then File Creator, Device Info (this program, and the treadmill as a
second device), Sport, the plan as a Workout and its Workout Steps (each Lap's
workout_step_index points at its step), a timer-start Event, one Record per
telemetry second, timer stop/start Events around every pause, one Lap per plan step (written at
the step's end, so timestamps stay in ascending order), a timer-stop Event,
then Session and Activity. Sport is running and sub-sport treadmill on Sport,
Lap and Session. Records carry time, cumulative distance, speed, heart rate
and incline as grade; there is no position and no altitude (Strava hides
elevation on treadmill runs anyway). File Id and Device Info fields stay fixed
from run to run: Garmin Connect is known to be picky when they change.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any, BinaryIO

from treadpace.plans.steps import StepRole
from treadpace.record.activity import Activity, Lap, Sample
from treadpace.record.fit_packed import Layouts, Packed
from treadpace.record.fit_stream import FitStream
from treadpace.record.hr_zones import zone_seconds

# Seconds between the Unix epoch and the FIT epoch (1989-12-31T00:00:00Z).
FIT_EPOCH_OFFSET_S = 631_065_600
# FIT manufacturer "development": the id for software without a Garmin-assigned one.
MANUFACTURER_DEVELOPMENT = 255
PRODUCT_ID = 1
SERIAL_NUMBER = 0x54504331  # fixed: see the module docstring
MIN_STRING_SIZE = 32
"""Bytes a text field takes at least (a longer text takes its own length)."""


def _ms(wall: float) -> int:
    """fit-tool takes Unix milliseconds; FIT stores whole seconds, so round down first."""
    return int(wall) * 1000


def _intensity(lap: Lap) -> Any:
    from treadpace.workouts.fit import fit_intensity

    # A lap without a plan step (a run that never got going) was still running.
    return fit_intensity(lap.step.role if lap.step is not None else StepRole.ACTIVE)


def _software_version() -> float:
    from treadpace import __version__

    # FIT keeps hundredths: 0.1.0 -> 0.10, 1.2.3 -> 1.23.
    parts = [int(p) if p.isdigit() else 0 for p in __version__.split(".")[:3]]
    major, minor, patch = ([*parts, 0, 0, 0])[:3]
    return major + min(minor, 9) / 10 + min(patch, 9) / 100


def _messages(activity: Activity) -> Iterator[Any]:
    from fit_tool.profile.profile_type import EventType

    start = _ms(activity.start_wall)
    end = max(start, _ms(activity.end_wall))
    yield from _file_header(activity, start)
    yield from _workout(activity)
    yield _timer(start, EventType.START)
    yield from _timeline(activity, start)
    yield _timer(end, EventType.STOP_ALL)
    yield from _summary(activity, start, end)


def _file_header(activity: Activity, start: int) -> Iterator[Any]:
    """File ID, creator, the two devices (this program and the treadmill) and the sport."""
    from fit_tool.profile.messages.device_info_message import DeviceInfoMessage
    from fit_tool.profile.messages.file_creator_message import FileCreatorMessage
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.sport_message import SportMessage
    from fit_tool.profile.profile_type import FileType, Sport, SubSport

    file_id = FileIdMessage()
    file_id.type = FileType.ACTIVITY
    file_id.manufacturer = MANUFACTURER_DEVELOPMENT
    file_id.product = PRODUCT_ID
    file_id.serial_number = SERIAL_NUMBER
    file_id.time_created = start
    file_id.product_name = "treadpace"
    yield file_id

    creator = FileCreatorMessage()
    creator.software_version = round(_software_version() * 100)
    yield creator

    program = DeviceInfoMessage()
    program.timestamp = start
    program.device_index = 0  # the creator
    program.manufacturer = MANUFACTURER_DEVELOPMENT
    program.product = PRODUCT_ID
    program.serial_number = SERIAL_NUMBER
    program.software_version = _software_version()
    program.product_name = "treadpace"
    yield program

    treadmill = DeviceInfoMessage()
    treadmill.timestamp = start
    treadmill.device_index = 1
    treadmill.manufacturer = MANUFACTURER_DEVELOPMENT
    treadmill.descriptor = activity.device[:31] or "treadmill"
    # Said in the file: the distance and speed are the runner's, not the belt's.
    treadmill.product_name = "treadmill, true pace" if activity.true_pace else "treadmill"
    yield treadmill

    sport = SportMessage()
    sport.sport = Sport.RUNNING
    sport.sub_sport = SubSport.TREADMILL
    sport.sport_name = "Treadmill"
    yield sport


def _timer(at_ms: int, kind: Any) -> Any:
    from fit_tool.profile.messages.event_message import EventMessage
    from fit_tool.profile.profile_type import Event, TimerTrigger

    event = EventMessage()
    event.timestamp = at_ms
    event.event = Event.TIMER
    event.event_type = kind
    event.timer_trigger = TimerTrigger.MANUAL
    return event


def _timeline(activity: Activity, start: int) -> Iterator[Any]:
    """Records, pause events and laps merged in time order."""
    from fit_tool.profile.profile_type import EventType

    samples = activity.moving_samples
    pauses = sorted(activity.pauses)
    laps = sorted(activity.laps, key=lambda lap: lap.end_wall)
    last_ms = start
    pause_i = lap_i = 0
    layouts = Layouts(sized=("time_in_hr_zone",))
    for sample in samples:
        at = _ms(sample.wall)
        while pause_i < len(pauses) and _ms(pauses[pause_i][0]) < at:
            p_start, p_end = pauses[pause_i]
            yield _timer(max(last_ms, _ms(p_start)), EventType.STOP_ALL)
            last_ms = max(last_ms, _ms(p_end))
            yield _timer(last_ms, EventType.START)
            pause_i += 1
        while lap_i < len(laps) and _ms(laps[lap_i].end_wall) < at:
            yield _lap(laps[lap_i], lap_i, layouts)
            yield from _lap_zones(laps[lap_i], lap_i, layouts)
            lap_i += 1
        if at < last_ms:
            continue  # never step back in time (a sample inside a pause window)
        yield _record(layouts, at, sample)
        last_ms = at
    for lap_index in range(lap_i, len(laps)):
        yield _lap(laps[lap_index], lap_index, layouts)
        yield from _lap_zones(laps[lap_index], lap_index, layouts)


def _summary(activity: Activity, start: int, end: int) -> Iterator[Any]:
    """The Session and Activity messages that close the file."""
    from fit_tool.profile.messages.activity_message import ActivityMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import (
        Activity as ActivityType,
    )
    from fit_tool.profile.profile_type import Event, EventType, SessionTrigger

    session = SessionMessage()
    session.message_index = 0
    session.timestamp = end
    session.start_time = start
    session.event = Event.SESSION
    session.event_type = EventType.STOP
    for name, value in _running_totals(activity).items():
        setattr(session, name, value)
    session.first_lap_index = 0
    session.num_laps = len(activity.laps)
    session.trigger = SessionTrigger.ACTIVITY_END
    yield session

    summary = ActivityMessage()
    summary.timestamp = end
    summary.total_timer_time = activity.timer_s
    summary.num_sessions = 1
    summary.type = ActivityType.MANUAL
    summary.event = Event.ACTIVITY
    summary.event_type = EventType.STOP
    offset = time.localtime(int(activity.end_wall)).tm_gmtoff
    summary.local_timestamp = int(activity.end_wall) - FIT_EPOCH_OFFSET_S + offset
    yield summary


def _workout(activity: Activity) -> Iterator[Any]:
    """The plan as Workout and Workout Step messages: each lap's `wkt_step_index` names
    its step, so Garmin Connect shows step names and targets against the laps."""
    from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage

    from treadpace.workouts.fit import workout_message, workout_step_values

    steps = activity.planned_steps
    if not steps:
        return
    yield workout_message(activity.plan_name, len(steps))
    layouts = Layouts(min_string_size=MIN_STRING_SIZE, sized=("wkt_step_name",))
    for index, step in enumerate(steps):
        yield layouts.packed(WorkoutStepMessage, workout_step_values(index, step))


def _running_totals(totals: Activity | Lap) -> dict[str, Any]:
    """Sport and the totals a session and a lap message share, by fit-tool field name."""
    from fit_tool.profile.profile_type import Sport, SubSport

    values: dict[str, Any] = {
        "sport": Sport.RUNNING,
        "sub_sport": SubSport.TREADMILL,
        "total_elapsed_time": totals.elapsed_s,
        "total_timer_time": totals.timer_s,
        "total_distance": totals.distance_m,
        "avg_speed": totals.avg_speed_kmh / 3.6,
        "max_speed": totals.max_speed_kmh / 3.6,
    }
    if totals.avg_heart_rate is not None:
        values["avg_heart_rate"] = totals.avg_heart_rate
    if totals.max_heart_rate is not None:
        values["max_heart_rate"] = totals.max_heart_rate
    if totals.energy_kcal is not None:
        values["total_calories"] = round(totals.energy_kcal)
    return values


def _record(layouts: Layouts, at_ms: int, sample: Sample) -> Packed:
    """A record message for one telemetry second; heart rate and grade when known."""
    from fit_tool.profile.messages.record_message import RecordMessage

    values: dict[str, Any] = {
        "timestamp": at_ms,
        "distance": sample.distance_m,
        "speed": sample.speed_ms,
    }
    if sample.heart_rate_bpm:
        values["heart_rate"] = sample.heart_rate_bpm
    if sample.incline_percent is not None:
        values["grade"] = sample.incline_percent
    return layouts.packed(RecordMessage, values)


def _lap(lap: Lap, index: int, layouts: Layouts) -> Packed:
    from fit_tool.profile.messages.lap_message import LapMessage
    from fit_tool.profile.profile_type import Event, EventType, LapTrigger

    values: dict[str, Any] = {
        "message_index": index,
        "timestamp": _ms(lap.end_wall),
        "start_time": _ms(lap.start_wall),
        "event": Event.LAP,
        "event_type": EventType.STOP,
        **_running_totals(lap),
        "intensity": _intensity(lap),
        "lap_trigger": {
            "time": LapTrigger.TIME,
            "distance": LapTrigger.DISTANCE,
            "manual": LapTrigger.MANUAL,
        }.get(lap.trigger, LapTrigger.SESSION_END),
    }
    if lap.step is not None:
        values["avg_grade"] = lap.step.incline_percent
        values["wkt_step_index"] = lap.index
    return layouts.packed(LapMessage, values)


def _lap_zones(lap: Lap, index: int, layouts: Layouts) -> Iterator[Packed]:
    """A Time In Zone message for the lap: seconds below zone 1 and in zones 1-5."""
    from fit_tool.profile.messages.time_in_zone_message import TimeInZoneMessage
    from fit_tool.profile.profile_type import MesgNum

    seconds = zone_seconds(lap.samples)
    if seconds is None:
        return
    values = {
        "timestamp": _ms(lap.end_wall),
        "reference_mesg": MesgNum.LAP,
        "reference_index": index,
        "time_in_hr_zone": list(seconds),
    }
    yield layouts.packed(TimeInZoneMessage, values)


def write_fit(activity: Activity, out: BinaryIO) -> None:
    # Encoded message by message (`fit_stream`): memory follows the file, not the run.
    stream = FitStream(min_string_size=MIN_STRING_SIZE)
    for message in _messages(activity):
        if isinstance(message, Packed):
            stream.add_packed(message)
        else:
            stream.add(message)
    out.write(stream.to_bytes())
