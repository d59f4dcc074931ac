"""Tests of plans at the integration level."""
