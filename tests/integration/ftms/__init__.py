"""Tests of ftms at the integration level."""
