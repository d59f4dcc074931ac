"""Tests of mqtt at the integration level."""
