"""Tests of session at the integration level."""
