"""``python -m pulseaugur`` runs the command line."""

from pulseaugur.cli import main

main()
