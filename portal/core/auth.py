"""Authentication rules: the session loader, throttled login, signed expiring links, password changes."""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer

from portal.core import audit, clock, mail, throttle
from portal.core.models import LoginAttempt, User
from portal.core.passwords import hash_password, verify_password
from portal.extensions import db
from portal.web.urls import mail_url_for

MIN_PASSWORD_LENGTH = 10


class Throttled(Exception):
    pass


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the session names the user and their session token; a
    deactivated user, a suspended org or a rotated token ends the session at once."""
    uid, _, token = user_id.partition(":")
    if not uid.isdigit():
        return None
    user = db.session.get(User, int(uid))
    if user is None or not user.is_active or user.session_token != token:
        return None
    return user


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def _recent_failures(column, value) -> int:
    return throttle.recent(column, value, current_app.config["LOGIN_THROTTLE_WINDOW"], LoginAttempt.success.is_(False))


def authenticate(email: str, password: str, ip: str) -> User | None:
    """The user for these credentials, or None. Raises Throttled after too many failures
    for the account or the IP; attempts live in the DB so every worker counts them."""
    email = normalise_email(email)
    config = current_app.config
    if (
        _recent_failures(LoginAttempt.email, email) >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        or _recent_failures(LoginAttempt.ip, ip) >= config["LOGIN_MAX_FAILURES_PER_IP"]
    ):
        raise Throttled
    user = find_user(email)
    ok = verify_password(user.password_hash if user else None, password)
    ok = ok and user.is_active
    db.session.add(LoginAttempt(email=email, ip=ip, success=ok))
    if not ok:
        return None
    user.last_login_at = clock.now()
    return user


# --- signed links ---------------------------------------------------------------------


class _ClockSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=f"partnerhouse.{purpose}", signer=_ClockSigner
    )


def sign(data: dict, purpose: str) -> str:
    """`data` in a URL-safe token signed for one purpose, stamped with the clock's time."""
    return _serializer(purpose).dumps(data)


def unsign(token: str, purpose: str, max_age: timedelta) -> dict | None:
    """The data of a token signed for `purpose` no longer ago than `max_age`; None otherwise."""
    try:
        data = _serializer(purpose).loads(token, max_age=int(max_age.total_seconds()))
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None


def make_link_token(user: User, purpose: str) -> str:
    """A token that dies when it expires or when the user's session token rotates
    (i.e. as soon as it has been used to set a password)."""
    return sign({"uid": user.id, "st": user.session_token}, purpose)


def user_for_link_token(token: str, purpose: str, max_age: timedelta) -> User | None:
    data = unsign(token, purpose, max_age)
    if data is None:
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or user.session_token != data.get("st") or not user.org.is_active:
        return None
    return user


def set_password(user: User, password: str, actor: User | None = None) -> None:
    user.password_hash = hash_password(password)
    user.rotate_session_token()
    audit.record(actor or user, "user.password_set", user, f"Password set for {user.email}")


def send_password_link(user: User, purpose: str) -> None:
    """Email an invitation ("invite") or a password reset ("reset") link."""
    token = make_link_token(user, purpose)
    link = mail_url_for("auth.set_password", purpose=purpose, token=token)
    if purpose == "invite":
        subject = "You are invited to Partnerhouse"
        text = f"Hello {user.name},\n\nYou have been invited to join {user.org.name} on Partnerhouse."
    else:
        subject = "Reset your Partnerhouse password"
        text = f"Hello {user.name},\n\nSomeone (hopefully you) asked to reset your Partnerhouse password."
    mail.send(user.email, subject, f"{text}\nSet your password here: {link}\n")
