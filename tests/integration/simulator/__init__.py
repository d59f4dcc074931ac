"""Tests of simulator at the integration level."""
