from treadpace.cli import main

main()
