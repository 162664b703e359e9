"""Pagination of a select statement, with the portal's page size."""
from dataclasses import dataclass

from flask import current_app

from portal.extensions import db


def paginate(stmt, page: int):
    return db.paginate(stmt, page=max(page, 1), per_page=current_app.config["PAGE_SIZE"], error_out=False)


@dataclass
class Feed:
    """One page of a feed with no total count: cheaper than paginate, for "Show more"."""

    items: list
    page: int
    has_next: bool

    @property
    def next_num(self) -> int:
        return self.page + 1


def feed(stmt, page: int, size: int | None = None) -> Feed:
    size = size or current_app.config["PAGE_SIZE"]
    page = max(page, 1)
    rows = db.session.scalars(stmt.limit(size + 1).offset((page - 1) * size)).all()
    return Feed(items=rows[:size], page=page, has_next=len(rows) > size)
