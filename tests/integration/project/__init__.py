"""Tests of project at the integration level."""
