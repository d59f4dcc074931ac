"""ftms_sim: a byte-faithful FTMS treadmill in software."""
