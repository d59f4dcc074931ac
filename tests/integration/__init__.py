"""Tests of integration at the integration level."""
