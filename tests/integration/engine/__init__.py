"""Tests of engine at the integration level."""
