"""Tests of treadmill at the integration level."""
