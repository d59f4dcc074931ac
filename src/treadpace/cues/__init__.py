"""Cues a runner can hear: warnings before every change of target, and the run's milestones.

The schedule (`schedule`) is computed from the compiled plan alone; the driver
(`driver.CueHub`) follows the plan clock from the engine's own events and puts
typed `Cue` events on the same stream every sink reads (MQTT, the journal, the
live view); `speech` speaks them (espeak-ng) or rings the terminal bell. Text is
rendered from a cue's kind and data (`text`), for people only.

This package imports nothing at import time, so that the profile can use its
settings model without pulling the engine in.
"""
