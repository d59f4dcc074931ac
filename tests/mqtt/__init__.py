"""Tests of mqtt."""
