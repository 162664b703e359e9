"""Certificates: issuing (with a public verification code), revoking, the public lookup,
and the expiry reminders of `cli.py tick`.

Certification cycle: a path certifies when all of its courses are complete (every lesson
marked done, every course quiz passed) and its final exam (one of its courses' quizzes) is
passed. A certificate may be renewed from RENEWAL_WINDOW before it expires, and must be
after it expired or was revoked: the holder passes the final exam again (the courses stay
complete). Attempts count per cycle: those after the attempt that earned the last
certificate.
"""
import calendar
import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from portal.core import audit, clock, workflow
from portal.core.models import User
from portal.extensions import db
from portal.notifications.services import notify
from portal.training.errors import TrainingError
from portal.training.models import Attempt, Certificate, LearningPath

REMINDER_DAYS = (60, 14)  # before a certification expires
RENEWAL_WINDOW = timedelta(days=REMINDER_DAYS[0])
EXPIRING_SOON = timedelta(days=REMINDER_DAYS[0])
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed back
MAX_CODE_LENGTH = 32
CODE_SHAPE = re.compile(rf"[A-Z0-9-]{{1,{MAX_CODE_LENGTH}}}")  # issued codes, and the demo's DEMO-CERT-0001


def verify(code: str) -> Certificate | None:
    """The certificate with this public code, or None (the caller answers a plain 404)."""
    code = (code or "").strip().upper()
    if not CODE_SHAPE.fullmatch(code):  # also keeps NUL bytes and the like away from the database
        return None
    return db.session.scalar(sa.select(Certificate).where(Certificate.code == code))


def my_certificates(user: User) -> list[Certificate]:
    stmt = sa.select(Certificate).where(Certificate.user_id == user.id).order_by(
        Certificate.issued_at.desc(), Certificate.id.desc())
    return db.session.scalars(stmt).all()


def add_months(at: datetime, months: int) -> datetime:
    month = at.month - 1 + months
    year, month = at.year + month // 12, month % 12 + 1
    return at.replace(year=year, month=month, day=min(at.day, calendar.monthrange(year, month)[1]))


def new_code() -> str:
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        if db.session.scalar(sa.select(Certificate.id).where(Certificate.code == code)) is None:
            return code


def issue_certificate(user: User, path: LearningPath, attempt: Attempt | None, issued_at: datetime | None = None,
                      code: str | None = None, tell: bool = True) -> Certificate:
    issued_at = issued_at or clock.now()
    renewal = db.session.scalar(sa.select(sa.func.count(Certificate.id)).where(
        Certificate.user_id == user.id, Certificate.path_id == path.id)) > 0
    certificate = Certificate(
        code=code or new_code(), user_id=user.id, org_id=user.org_id, path_id=path.id,
        attempt_id=attempt.id if attempt else None, holder_name=user.name, org_name=user.org.name,
        certification_name=path.certification_name, issued_at=issued_at,
        expires_at=add_months(issued_at, path.validity_months) if path.validity_months else None,
    )
    db.session.add(certificate)
    db.session.flush()
    until = f"valid until {certificate.expires_at:%d %b %Y}" if certificate.expires_at else "with no expiry"
    audit.record(user, "certificate.renew" if renewal else "certificate.issue", certificate,
                 f"{user.name} earned “{certificate.certification_name}” ({until})", org=user.org,
                 after={"code": certificate.code, "path": path.title})
    if tell:
        notify(user, f"You are certified: {certificate.certification_name}",
               f"Congratulations! You hold “{certificate.certification_name}”, {until}. "
               f"Verification code: {certificate.code}.", "training.path", path_id=path.id)
    return certificate


def revoke_certificate(actor: User, certificate: Certificate, reason: str) -> None:
    if certificate.revoked_at is not None:
        raise TrainingError("This certificate is already revoked.")
    if not reason.strip():
        raise TrainingError("Give a reason; the holder will see it.")
    certificate.revoked_at, certificate.revoked_reason = clock.now(), reason.strip()[:500]
    audit.record(actor, "certificate.revoke", certificate,
                 f"Revoked “{certificate.certification_name}” of {certificate.holder_name}: {certificate.revoked_reason}",
                 org=certificate.org)
    notify(certificate.user, f"Certificate revoked: {certificate.certification_name}",
           f"Your certificate “{certificate.certification_name}” ({certificate.code}) was revoked.\n"
           f"Reason: {certificate.revoked_reason}", "training.path", path_id=certificate.path_id)


def valid_now(now: datetime):
    return sa.and_(Certificate.revoked_at.is_(None),
                   sa.or_(Certificate.expires_at.is_(None), Certificate.expires_at > now))


def superseded():
    newer = aliased(Certificate)
    return sa.exists().where(newer.user_id == Certificate.user_id, newer.path_id == Certificate.path_id,
                             newer.issued_at > Certificate.issued_at, newer.revoked_at.is_(None))


def send_reminders() -> int:
    """`cli.py tick`: remind holders 60 and 14 days before a certification expires, each
    reminder once (the nearer one first, so a late first run sends only that one)."""
    now, sent = clock.now(), 0
    for days in sorted(REMINDER_DAYS):
        not_yet = sa.or_(Certificate.reminded_days.is_(None), Certificate.reminded_days > days)
        due = db.session.scalars(
            sa.select(Certificate).join(User, User.id == Certificate.user_id).where(
                Certificate.revoked_at.is_(None), Certificate.expires_at > now,
                Certificate.expires_at <= now + timedelta(days=days),
                not_yet, User.active.is_(True), sa.not_(superseded()),
            ).order_by(Certificate.id)).all()
        for certificate in due:
            if not workflow.compare_and_set(certificate, not_yet, {"reminded_days": days}):
                continue  # another run (cron's tick beside a scheduler's) sent it
            left = (certificate.expires_at.date() - now.date()).days
            notify(certificate.user, f"Your certification expires in {left} days: {certificate.certification_name}",
                   f"“{certificate.certification_name}” expires on {certificate.expires_at:%d %b %Y}. "
                   "Take the recertification exam to keep it.", "training.path", path_id=certificate.path_id)
            sent += 1
    return sent


# --- what the program measures ----------------------------------------------------------------


def certified_counts(at: datetime, org_ids: Collection[int] | None = None) -> dict[tuple[int, int], int]:
    """How many of each org's active people hold each certification (path) at `at`, by
    (org id, path id): one grouped query, for every org unless `org_ids` is given."""
    stmt = (sa.select(Certificate.org_id, Certificate.path_id, sa.func.count(sa.distinct(Certificate.user_id)))
            .join(User, User.id == Certificate.user_id)
            .where(User.active.is_(True), User.org_id == Certificate.org_id, Certificate.issued_at <= at,
                   valid_now(at))
            .group_by(Certificate.org_id, Certificate.path_id))
    if org_ids is not None:
        stmt = stmt.where(Certificate.org_id.in_(org_ids))
    return {(org_id, path_id): count for org_id, path_id, count in db.session.execute(stmt)}


@dataclass(frozen=True)
class Lapse:
    """A person's certification that lapses (their last valid certificate of the path expires)."""
    holder: str
    path_id: int
    lapses_at: datetime


def lapses(org_id: int, at: datetime, until: datetime) -> list[Lapse]:
    """The org's active holders at `at` whose certification lapses by `until`, soonest first
    (a renewal already issued counts: only the last expiry matters)."""
    last = sa.func.max(Certificate.expires_at)
    never = sa.func.count(Certificate.id) - sa.func.count(Certificate.expires_at)  # certificates without an expiry
    rows = db.session.execute(
        sa.select(User.name, Certificate.path_id, last)
        .join(User, User.id == Certificate.user_id)
        .where(Certificate.org_id == org_id, User.org_id == org_id, User.active.is_(True),
               Certificate.issued_at <= at, valid_now(at))
        .group_by(User.id, User.name, Certificate.path_id)
        .having(never == 0, last <= until)
        .order_by(last, User.name))
    return [Lapse(name, path_id, lapses_at) for name, path_id, lapses_at in rows]
