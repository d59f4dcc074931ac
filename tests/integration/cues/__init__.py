"""Tests of cues at the integration level."""
