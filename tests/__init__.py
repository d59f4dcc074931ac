"""The test suite. Folders mirror the packages; `integration/` holds the tests that start a
real process, D-Bus, broker or browser (marked `integration`)."""
