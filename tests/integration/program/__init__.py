"""Tests of program at the integration level."""
