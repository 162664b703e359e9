"""Rooms and announcements: what each persona's room shows, and announcement upkeep."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from portal.core import audit, clock
from portal.core.access import AudienceSpec, apply_audience, describe, visible
from portal.core.models import Audience, Persona, User
from portal.extensions import db
from portal.rooms.models import Announcement


@dataclass
class AnnouncementInput:
    title: str
    body: str
    publish_at: datetime
    expire_at: datetime | None
    pinned: bool
    audience: AudienceSpec


def live_announcements(user: User, persona: Persona | None = None):
    """Announcements live now that the user may see (in this persona's room), pinned first."""
    now = clock.now()
    stmt = (
        sa.select(Announcement)
        .where(Announcement.publish_at <= now)
        .where(sa.or_(Announcement.expire_at.is_(None), Announcement.expire_at > now))
        .order_by(Announcement.pinned.desc(), Announcement.publish_at.desc(), Announcement.id.desc())
    )
    return visible(stmt, Announcement, user, persona)


def all_announcements():
    return sa.select(Announcement).order_by(Announcement.publish_at.desc(), Announcement.id.desc())


def _snapshot(announcement: Announcement) -> dict:
    return {
        "title": announcement.title,
        "publish_at": announcement.publish_at.isoformat(),
        "expire_at": announcement.expire_at.isoformat() if announcement.expire_at else None,
        "pinned": announcement.pinned,
        "audience": describe(announcement.audience),
    }


def save_announcement(actor: User, announcement: Announcement | None, data: AnnouncementInput) -> Announcement:
    """Create (announcement=None) or update an announcement, with an audit event."""
    before = _snapshot(announcement) if announcement else None
    if announcement is None:
        announcement = Announcement(audience=Audience(), created_by_id=actor.id)
        db.session.add(announcement)
    announcement.title = data.title
    announcement.set_body(data.body)
    announcement.publish_at = data.publish_at
    announcement.expire_at = data.expire_at
    announcement.pinned = data.pinned
    apply_audience(announcement.audience, data.audience)
    db.session.flush()
    action = "announcement.updated" if before else "announcement.created"
    audit.record(actor, action, announcement, f"Announcement “{announcement.title}”",
                 before=before, after=_snapshot(announcement))
    return announcement


def delete_announcement(actor: User, announcement: Announcement) -> None:
    audit.record(actor, "announcement.deleted", announcement, f"Announcement “{announcement.title}”",
                 before=_snapshot(announcement))
    db.session.delete(announcement)
