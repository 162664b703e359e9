"""The partner admin's view: the team's training and expiring certifications, and where
the org stands against its tier's (and the next tier's) certification requirements, which
the vendor sets."""
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.core import audit, clock
from portal.core.access import people_visible_to
from portal.core.models import Organization, Tier, User
from portal.core.tiers import next_tier
from portal.extensions import db
from portal.training.certificates import EXPIRING_SOON, superseded, valid_now
from portal.training.errors import TrainingError
from portal.training.models import Certificate, LearningPath, TierRequirement
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


# --- tier requirements ----------------------------------------------------------------------


@dataclass
class Standing:
    requirement: TierRequirement
    have: int
    holders: list[str]  # names, of the org's own people only

    @property
    def needed(self) -> int:
        return self.requirement.count

    @property
    def met(self) -> bool:
        return self.have >= self.needed

    @property
    def missing(self) -> int:
        return max(self.needed - self.have, 0)


def standing(org: Organization, tier: Tier) -> list[Standing]:
    """Where `org` stands against `tier`'s requirements: its own certified people only."""
    requirements = db.session.scalars(sa.select(TierRequirement).options(selectinload(TierRequirement.path))
                                      .where(TierRequirement.tier_id == tier.id)).all()
    now = clock.now()
    result = []
    for requirement in sorted(requirements, key=lambda r: r.path.certification_name or r.path.title):
        names = db.session.scalars(
            sa.select(User.name).where(User.org_id == org.id, User.active.is_(True), User.id.in_(
                sa.select(Certificate.user_id).where(Certificate.org_id == org.id,
                                                     Certificate.path_id == requirement.path_id, valid_now(now))))
            .order_by(User.name)).all()
        result.append(Standing(requirement, len(names), list(names)))
    return result


def program(org: Organization) -> dict:
    """The org's standing for its tier and for the next tier up."""
    current = org.tier
    following = next_tier(current) if current else None
    return {"tier": current, "current": standing(org, current) if current else [],
            "next_tier": following, "next": standing(org, following) if following else []}


def requirements():
    return sa.select(TierRequirement).options(selectinload(TierRequirement.path)).join(
        LearningPath, LearningPath.id == TierRequirement.path_id)


def set_requirement(actor: User, tier: Tier, path: LearningPath, count: int) -> TierRequirement:
    if not path.certifies:
        raise TrainingError("That path grants no certification: give it a certification name and a final exam.")
    requirement = db.session.scalar(sa.select(TierRequirement).where(TierRequirement.tier_id == tier.id,
                                                                    TierRequirement.path_id == path.id))
    before = {"count": requirement.count} if requirement else None
    if requirement is None:
        requirement = TierRequirement(tier=tier, path_id=path.id, path=path)
        db.session.add(requirement)
    requirement.count = count
    db.session.flush()
    audit.record(actor, "training.requirement", requirement,
                 f"{tier.label} requires {count} × “{path.certification_name}”", before=before,
                 after={"count": count}, org=actor.org)
    return requirement


def delete_requirement(actor: User, requirement: TierRequirement) -> None:
    audit.record(actor, "training.requirement_delete", requirement,
                 f"{requirement.tier.label} no longer requires “{requirement.path.certification_name}”", org=actor.org)
    db.session.delete(requirement)


def drop_requirements_of(tier: Tier) -> None:
    """The tier is going: so are its certification requirements."""
    db.session.execute(sa.delete(TierRequirement).where(TierRequirement.tier_id == tier.id))
