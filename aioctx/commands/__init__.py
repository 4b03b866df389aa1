"""Subcommands of the ``aioctx`` command line (see aioctx/cli.py)."""
