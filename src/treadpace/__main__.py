"""`python -m treadpace`: the same command line as `treadpace`, for where no script is on PATH."""

from treadpace.entry import main

main()
