from mpqr.cli import main

main()
