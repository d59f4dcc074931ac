"""What the runner sees: the live terminal view, plain log lines, the end-of-run summary.

Everything here is a sink of the engine's event stream (plus a key reader that
turns key presses into engine commands); nothing here talks to the treadmill.
"""
