"""`python -m pepgraph` is the `pepgraph` command."""

from pepgraph.cli import main

main()
