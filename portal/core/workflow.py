"""State changes as compare-and-set, for every workflow (deals now; MDF, leads, tier changes).

A change is one `UPDATE … WHERE id = :id AND status IN :expected` whose row count says
whether it applied. Of two requests that both read "submitted" and both decide, the
database lets exactly one UPDATE match (Postgres re-checks the WHERE clause once the first
commits); the other gets the ordinary "this deal is approved" answer and writes nothing.
Reading first and writing after is only safe on SQLite, whose writers queue up.
"""
import enum
import re
from collections.abc import Callable, Iterable

import sqlalchemy as sa

from portal.core.errors import DomainError
from portal.extensions import db


class WorkflowError(DomainError):
    """The change does not apply to the row as it stands (e.g. approving a draft, or a
    deal another request approved a moment ago). The message is for the person acting."""


def compare_and_set(row, condition, values: dict) -> bool:
    """Set `values` on `row` in one UPDATE, only if `condition` still holds in the database.
    Either way `row` is reloaded, so it shows what is stored now (locked, on Postgres,
    until the transaction ends)."""
    model = type(row)
    stmt = (sa.update(model).where(model.id == row.id, condition).values(**values)
            .execution_options(synchronize_session=False))
    matched = db.session.execute(stmt).rowcount == 1
    db.session.refresh(row)
    return matched


def transition(row, expected: enum.Enum | Iterable[enum.Enum], to: enum.Enum, values: dict | None = None, *,
               when=None, field: str = "status", state: Callable | None = None) -> None:
    """Move `row` from one of the `expected` states to `to`, setting `values` with it.
    `when` adds a condition (e.g. a protection date not yet passed); `state(row)` is the
    state to name when refusing (default: the stored one). Raises WorkflowError, with
    nothing written, when the row is no longer in an expected state.

    `to` may equal the expected state: the row is then held until the transaction ends,
    for a change that adds rows rather than moving the status (one pending request per deal)."""
    expected = (expected,) if isinstance(expected, enum.Enum) else tuple(expected)
    condition = getattr(type(row), field).in_(expected)
    if when is not None:
        condition = sa.and_(condition, when)
    if not compare_and_set(row, condition, {field: to, **(values or {})}):
        current = state(row) if state else getattr(row, field)
        raise WorkflowError(f"This {_noun(row)} is {_label(current)}; "
                            f"that is only possible when it is {' or '.join(_label(s) for s in expected)}.")


def _noun(row) -> str:
    """"deal" for Deal, "mdf request" for MdfRequest."""
    return " ".join(re.findall(r"[A-Z][a-z]*|[a-z]+", type(row).__name__)).lower()


def _label(state: enum.Enum) -> str:
    return getattr(state, "label", state.value).lower()
