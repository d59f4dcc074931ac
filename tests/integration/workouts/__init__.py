"""Tests of workouts at the integration level."""
