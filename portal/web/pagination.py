"""Pagination of a select statement, with the portal's page size."""
from dataclasses import dataclass

from flask import current_app
from flask_sqlalchemy.pagination import SelectPagination

from portal.extensions import db
from portal.web.params import MAX_ID

MAX_PAGE = MAX_ID  # keeps the OFFSET within 64 bits whatever ?page= says


class RowPagination(SelectPagination):
    """Pages of whole rows (an entity with aggregates beside it), not just the first column."""

    def _query_items(self) -> list:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select).all())


def paginate(stmt, page: int, rows: bool = False):
    """One page of `stmt` with the portal's page size; rows=True keeps every selected column."""
    per_page, page = current_app.config["PAGE_SIZE"], page_number(page)
    if rows:
        return RowPagination(select=stmt, session=db.session(), page=page, per_page=per_page, error_out=False)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def page_number(page: int) -> int:
    """?page= clamped to 1..MAX_PAGE: a page past the end is simply empty."""
    return min(max(page, 1), MAX_PAGE)


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
    page = page_number(page)
    rows = db.session.scalars(stmt.limit(size + 1).offset((page - 1) * size)).all()
    return Feed(items=rows[:size], page=page, has_next=len(rows) > size)
