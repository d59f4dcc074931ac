"""Tests of peripheral at the integration level."""
