from seatcore.cli import main

main()
