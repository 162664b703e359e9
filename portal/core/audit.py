"""Audit events: who changed what, when, with before/after. Written in the same
transaction as the change, so a rolled-back change leaves no event."""
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.core.models import AuditEvent, Organization, User
from portal.extensions import db


def record(actor: User | None, action: str, subject, summary: str, before=None, after=None, org=None):
    org = org or _org_of(subject)
    db.session.add(
        AuditEvent(
            actor_id=actor.id if actor else None,
            org_id=org.id if org else None,
            action=action,
            subject_type=type(subject).__name__,
            subject_id=subject.id,
            summary=summary,
            before=before,
            after=after,
        )
    )


def _org_of(subject):
    if isinstance(subject, Organization):
        return subject
    return getattr(subject, "org", None)


def events(action_prefix: str = "", org_id: int | None = None):
    stmt = sa.select(AuditEvent).options(selectinload(AuditEvent.actor)).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if action_prefix:
        stmt = stmt.where(AuditEvent.action.startswith(action_prefix))
    if org_id:
        stmt = stmt.where(AuditEvent.org_id == org_id)
    return stmt
