"""The API's guard: bearer tokens only, never the session.

Flask-Login's `current_user` is whatever it finds in `g._login_user`, and only when that is
missing does it read the session or remember cookie. The guard fills it first on every API
request (anonymous, then the token's user), so the cookie is never consulted: a signed-in
browser without a token gets a 401 like anyone else.
"""
from flask import abort, current_app, request
from flask_login import current_user

from portal.core import tokens
from portal.core.access import is_public
from portal.core.models import User
from portal.extensions import db, login_manager

MISSING = "Send a personal API token (create one on your profile page) as 'Authorization: Bearer <token>'."
INVALID = "That API token is not valid: it is mistyped or revoked, or its owner can no longer sign in."


def authenticate():
    """before_request on api_bp: every endpoint needs a token unless it is marked @public."""
    login_manager._update_request_context_with_user(None)  # anonymous, whatever the cookies say
    if is_public(current_app.view_functions.get(request.endpoint)):
        return
    secret = _bearer_secret()
    if secret is None:
        abort(401, MISSING)
    token = tokens.usable_token(secret)
    if token is None:
        abort(401, INVALID)
    user = token.user
    if tokens.use_is_stale(token):
        _record_use(token.id)
    login_manager._update_request_context_with_user(user)


def api_user() -> User:
    """The user whose token authenticated this request; API views pass it to services."""
    if not current_user.is_authenticated:
        abort(401, MISSING)
    return current_user._get_current_object()


def _bearer_secret() -> str | None:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    secret = secret.strip()
    return secret if scheme.lower() == "bearer" and secret else None


def _record_use(token_id: int) -> None:
    """Commit last_used_at in a transaction of its own. A GET has read the token in a plain
    BEGIN on SQLite, which may not be upgraded to a write once another connection has
    written; ending it first makes the UPDATE the new transaction's first statement, which
    waits for the write lock (busy_timeout) instead of failing."""
    db.session.rollback()
    tokens.record_use(token_id)
    db.session.commit()
