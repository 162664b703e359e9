"""Reading URL and query-string arguments: bad values never cause a 500."""
from flask import abort, request
from werkzeug.routing import IntegerConverter

from portal.core.models import Persona
from portal.core.tiers import tier_by_key

# Ids are 32-bit integer columns on Postgres; a larger number can name no row, and sent to
# the database it is an error (SQLite's limit is 2^63), so it is refused before any query.
MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """The app's `int` URL converter: /deals/<int:deal_id> matches 1 to MAX_ID only, so a
    larger id is a 404 like any unknown one, on every route."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002 (werkzeug's names)
        super().__init__(map, fixed_digits, min, max, signed)


def bounded_id(value) -> int:
    """An id from a query string or form (`request.args.get("org", type=bounded_id)`, or a
    field's `coerce`): ValueError, i.e. "not an id", unless it is from 1 to MAX_ID."""
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise ValueError(f"{value!r} is not an id")
    return number


def ids_in(values: list[str]) -> list[int]:
    """The values that are ids (e.g. the ticked boxes of a bulk action); others are ignored."""
    ids = []
    for value in values:
        try:
            ids.append(bounded_id(value))
        except ValueError:
            continue
    return ids


def enum_arg(enum_cls, name: str):
    """The enum member named by ?name=, or None when it is missing or not a member."""
    try:
        return enum_cls(request.args.get(name, ""))
    except ValueError:
        return None


def tier_arg(name: str = "tier"):
    """The tier whose key is ?name=, or None when it is missing or unknown."""
    return tier_by_key(request.args.get(name, ""))


def persona_or_404(value: str) -> Persona:
    """The persona named in a room URL; an unknown one is simply not found."""
    try:
        return Persona(value)
    except ValueError:
        abort(404)
