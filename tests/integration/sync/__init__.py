"""Tests of sync at the integration level."""
