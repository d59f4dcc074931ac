"""Tests of base at the integration level."""
