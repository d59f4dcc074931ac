"""Tests of appliance at the integration level."""
