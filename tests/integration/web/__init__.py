"""Tests of web at the integration level."""
