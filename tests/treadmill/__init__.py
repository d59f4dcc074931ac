"""Tests of treadmill."""
