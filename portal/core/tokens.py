"""Personal API tokens: made and revoked on the profile page, sent to /api/v1 as
`Authorization: Bearer ph_…`.

A token is 256 random bits, so a plain SHA-256 of it is enough to store (a slow hash
protects guessable passwords, not random keys) and lets a request find its token by an
indexed lookup. The plain token exists only in the response that creates it.
"""
import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa

from portal.core import audit, clock
from portal.core.models import ApiToken, User
from portal.extensions import db

TOKEN_PREFIX = "ph_"
# last_used_at is written at most this often per token, not on every request.
USE_RECORD_INTERVAL = timedelta(minutes=1)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def tokens_of(user: User):
    """The user's own tokens, live ones first: the only way routes reach a token."""
    return sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(
        ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc()
    )


def create_token(actor: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the actor; returns it with the plain secret, which is never stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=actor, name=name.strip(), token_hash=_hash(secret), prefix=secret[:8])
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "api_token.created", token, f"API token “{token.name}” ({token.prefix}…) created",
                 after={"name": token.name, "prefix": token.prefix}, org=actor.org)
    return token, secret


def revoke_token(actor: User, token: ApiToken) -> None:
    if token.is_revoked:
        return
    token.revoked_at = clock.now()
    audit.record(actor, "api_token.revoked", token, f"API token “{token.name}” ({token.prefix}…) revoked",
                 before={"revoked": False}, after={"revoked": True}, org=actor.org)


def usable_token(secret: str) -> ApiToken | None:
    """The live token with this secret, if its owner may still sign in (the same rule as
    sessions: an active user in an active org)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _hash(secret)))
    if token is None or token.is_revoked or not token.user.is_active:
        return None
    return token


def use_is_stale(token: ApiToken) -> bool:
    return token.last_used_at is None or token.last_used_at <= clock.now() - USE_RECORD_INTERVAL


def record_use(token_id: int) -> None:
    """Stamp last_used_at, unless another request did within the interval."""
    now = clock.now()
    db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.id == token_id)
        .where(sa.or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - USE_RECORD_INTERVAL))
        .values(last_used_at=now)
    )
