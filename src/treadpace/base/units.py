"""Exact unit constants and conversions (1 mile = 1609.344 m, by definition)."""

METRES_PER_MILE = 1609.344
KMH_PER_MPH = 1.609344


def kmh_to_mph(kmh: float) -> float:
    return kmh / KMH_PER_MPH


def pace_s_per_km(kmh: float) -> float:
    return 3600.0 / kmh


def pace_s_per_mi(kmh: float) -> float:
    return 3600.0 / kmh * KMH_PER_MPH

RUNNING_FROM_KMH = 7.0
"""At and above this speed a person runs, below it walks (a footpod's flag, a sport type)."""
