"""Tests of record at the integration level."""
