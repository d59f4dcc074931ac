"""Tests of commands at the integration level."""
