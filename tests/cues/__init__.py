"""Tests of cues."""
