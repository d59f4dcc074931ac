"""Tests of ftms."""
