"""Tests of broadcast at the integration level."""
