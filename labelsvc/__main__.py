"""``python -m labelsvc`` runs the command line."""

from labelsvc.cli import main

main()
