"""``python -m ocpihub`` runs the command line."""

from ocpihub.cli import main

main()
