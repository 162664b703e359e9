"""Reading query-string arguments: a bad value is treated as absent, never a 500."""
from flask import request


def enum_arg(enum_cls, name: str):
    """The enum member named by ?name=, or None when it is missing or not a member."""
    try:
        return enum_cls(request.args.get(name, ""))
    except ValueError:
        return None
