"""Telling a user something: an in-app notification and an email (through the outbox)."""
import sqlalchemy as sa

from portal.core import clock, mail
from portal.core.models import User
from portal.extensions import db
from portal.notifications.models import Notification
from portal.web.urls import mail_base_url, path_for


def notify(user: User, subject: str, body: str, endpoint: str | None = None, **values) -> None:
    """Tell `user`, linking to a portal page. Works without a request (e.g. `cli.py tick`).
    In the same transaction as the change it reports: a rolled-back change tells no one."""
    link = path_for(endpoint, **values) if endpoint else None
    db.session.add(Notification(user_id=user.id, subject=subject, link=link))
    mail.send(user.email, subject, f"{body}\n\n{mail_base_url()}{link}" if link else body)


def for_user(user: User):
    return sa.select(Notification).where(Notification.user_id == user.id).order_by(
        Notification.created_at.desc(), Notification.id.desc())


def unread_count(user: User) -> int:
    stmt = sa.select(sa.func.count()).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    return db.session.scalar(stmt)


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
    )
    return result.rowcount
