"""Developer tools that are not part of the portal package (e.g. `python cli.py bench`)."""
