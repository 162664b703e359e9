"""The one way a route runs a write: commit when it works; on a domain error, roll back and
tell the user why."""
from contextlib import contextmanager
from dataclasses import dataclass

from flask import flash

from portal.core.errors import DomainError
from portal.extensions import db


@dataclass
class Outcome:
    error: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@contextmanager
def domain_action(form=None, field: str | None = None):
    """Run the block as one unit of work and commit it. On a DomainError, roll back and put
    its message on the form's field (the error's own, else `field`), for the route to answer
    422 with the form; without a form or field, flash it. Yields the Outcome to check."""
    outcome = Outcome()
    try:
        yield outcome
    except DomainError as error:
        db.session.rollback()
        outcome.error = error
        name = error.field or field
        if form is not None and name:
            form[name].errors = [*form[name].errors, str(error)]
        else:
            flash(str(error), "error")
    else:
        db.session.commit()
