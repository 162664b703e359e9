"""Error pages: a full page for browsers, a small fragment for htmx, and HX-Refresh on
a CSRF failure (the page's token is stale; reloading gets a fresh one). Under /api/ errors
are JSON instead."""
from flask import render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from portal.api.http import error_response, is_api_request
from portal.extensions import db
from portal.storage import StorageUnavailable
from portal.web.htmx import is_partial


def _render_error(error: HTTPException):
    # Whatever failed wrote nothing, and after a failed statement the session refuses every
    # query (PendingRollbackError) until rolled back, e.g. the layout reading current_user.
    db.session.rollback()
    if is_api_request():
        return error_response(error)
    template = "errors/fragment.html" if is_partial() else "errors/page.html"
    return render_template(template, error=error), error.code


def handle_csrf_error(error: CSRFError):
    body, status = _render_error(error)
    return body, status, {"HX-Refresh": "true"} if is_partial() else {}


def handle_storage_unavailable(error: StorageUnavailable):
    body, status = _render_error(ServiceUnavailable("File storage is unreachable; try again in a minute."))
    return body, status, {"Retry-After": "60"}


def register(app):
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, _render_error)
    app.register_error_handler(StorageUnavailable, handle_storage_unavailable)
