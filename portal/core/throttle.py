"""Throttles counted in the database, so every worker and host agrees: how many rows of an
attempts log (login attempts, applications) one key (an email, an IP address, a domain)
has written within a window."""
from datetime import timedelta

import sqlalchemy as sa

from portal.core import clock
from portal.extensions import db


def recent(column, value, window: timedelta, *conditions) -> int:
    """Rows of `column`'s table with `column == value` written (its `at`) within `window`."""
    model = column.class_
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(
        column == value, model.at >= clock.now() - window, *conditions))
