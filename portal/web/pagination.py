"""Pagination of a select statement, with the portal's page size."""
from flask import current_app

from portal.extensions import db


def paginate(stmt, page: int):
    return db.paginate(stmt, page=max(page, 1), per_page=current_app.config["PAGE_SIZE"], error_out=False)
