"""Tests of workouts."""
