"""Reading URL and query-string arguments: bad values never cause a 500."""
from flask import abort, request

from portal.core.models import Persona


def enum_arg(enum_cls, name: str):
    """The enum member named by ?name=, or None when it is missing or not a member."""
    try:
        return enum_cls(request.args.get(name, ""))
    except ValueError:
        return None


def persona_or_404(value: str) -> Persona:
    """The persona named in a room URL; an unknown one is simply not found."""
    try:
        return Persona(value)
    except ValueError:
        abort(404)
