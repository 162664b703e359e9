"""The partner admin's view: the team's training and expiring certifications. (Where the org
stands in the program, certifications included, is the program's: portal/program.)"""
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from portal.core import clock
from portal.core.access import people_visible_to
from portal.core.models import Organization, User
from portal.extensions import db
from portal.training.certificates import EXPIRING_SOON, superseded
from portal.training.models import Certificate, LearningPath
from portal.training.progress import PathProgress, learners, path_progress, with_contents


# --- the partner admin's team ---------------------------------------------------------------


@dataclass
class Member:
    user: User
    paths: list[PathProgress]
    certificates: list[Certificate]  # the newest per path


def team_people(viewer: User, org: Organization):
    """The org's active people, as the viewer may see them (the route paginates)."""
    return people_visible_to(viewer).where(User.org_id == org.id, User.active.is_(True)).order_by(User.name, User.id)


def members(people: list[User]) -> list[Member]:
    """Each person's enrolled paths with progress, and their newest certificate per path."""
    facts = learners(people)
    wanted = {pid for f in facts.values() for pid in f.enrolled}
    paths = {p.id: p for p in db.session.scalars(with_contents(sa.select(LearningPath))
                                                 .where(LearningPath.id.in_(wanted))).all()}
    now = clock.now()
    result = []
    for person in people:
        f = facts[person.id]
        newest = {}
        for certificate in f.certificates:
            newest.setdefault(certificate.path_id, certificate)
        result.append(Member(person, [path_progress(f, paths[pid], now) for pid in f.enrolled if pid in paths],
                             list(newest.values())))
    return result


def expiring(org: Organization, within: timedelta = EXPIRING_SOON) -> list[Certificate]:
    """The org's certifications that lapse within `within`, or lapsed and were not renewed."""
    now = clock.now()
    stmt = sa.select(Certificate).join(User, User.id == Certificate.user_id).where(
        Certificate.org_id == org.id, Certificate.revoked_at.is_(None), Certificate.expires_at.is_not(None),
        Certificate.expires_at <= now + within, User.active.is_(True), sa.not_(superseded()),
    ).order_by(Certificate.expires_at)
    return db.session.scalars(stmt).all()
