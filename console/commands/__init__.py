"""Bodies of the longer `tsunagu` subcommands (console/cli.py only parses and dispatches)."""
