"""Partnerhouse command line: python cli.py --help (the same commands as `flask --app portal …`
and the `partnerhouse` console script; they live in portal/commands.py)."""
from portal.commands import cli

if __name__ == "__main__":
    cli()
