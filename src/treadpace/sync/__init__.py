"""Sync: finished runs out to intervals.icu and Strava, planned workouts in, exactly once.

All network I/O is here, in thin aiohttp clients (`icu`, `strava`, `strava_auth`);
what to do with each answer (`failure`, `rate_limit`, `outbox`) is plain code. The
outbox is a table of the one database (`treadpace.store`), so a run finished
offline, a server error, a timeout or a killed process is uploaded later, once.
"""
