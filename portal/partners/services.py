"""The vendor's channel: partner orgs and their status (their tiers are the program's)."""
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.core import audit
from portal.core.access import partners_visible_to
from portal.core.errors import DomainError
from portal.core.models import (
    Organization, OrgKind, OrgStatus, PartnerType, Persona, Region, Role, Tier, User,
)
from portal.extensions import db
from portal.people import services as people


@dataclass
class PartnerFilters:
    q: str = ""
    tier: Tier | None = None
    partner_type: PartnerType | None = None
    region: Region | None = None
    status: OrgStatus | None = None


@dataclass
class NewPartner:
    name: str
    tier: Tier
    partner_type: PartnerType
    region: Region
    parent_id: int | None
    admin_name: str
    admin_email: str


class PartnerError(DomainError):
    pass


def search_partners(actor: User, filters: PartnerFilters):
    stmt = partners_visible_to(actor).options(selectinload(Organization.parent)).order_by(Organization.name)
    if filters.q:
        stmt = stmt.where(Organization.name.icontains(filters.q, autoescape=True))
    for column, value in (
        (Organization.tier_id, filters.tier.id if filters.tier else None),
        (Organization.partner_type, filters.partner_type),
        (Organization.region, filters.region),
        (Organization.status, filters.status),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


def distributors(actor: User) -> list[Organization]:
    stmt = partners_visible_to(actor).where(Organization.partner_type == PartnerType.distributor)
    return db.session.scalars(stmt.order_by(Organization.name)).all()


def create_partner(actor: User, data: NewPartner) -> Organization:
    """A new partner org with its first admin, who gets an invitation email."""
    if db.session.scalar(sa.select(Organization.id).where(sa.func.lower(Organization.name) == data.name.lower())):
        raise PartnerError("A partner with this name exists already.", field="name")
    parent = None
    if data.parent_id:
        parent = next((d for d in distributors(actor) if d.id == data.parent_id), None)
        if parent is None:
            raise PartnerError("Choose a distributor from the list.", field="parent_id")
    org = Organization(
        name=data.name, kind=OrgKind.partner, tier=data.tier, partner_type=data.partner_type,
        region=data.region, status=OrgStatus.active, parent=parent,
    )
    db.session.add(org)
    db.session.flush()
    audit.record(actor, "partner.created", org, f"Partner {org.name} created",
                 after={"tier": org.tier.key, "type": org.partner_type.value, "region": org.region.value})
    try:
        people.add_person(actor, org, people.NewPerson(data.admin_name, data.admin_email, Persona.sales,
                                                       Role.partner_admin))
    except people.PersonError as error:
        raise PartnerError(str(error), field="admin_email") from error
    return org


def change_status(actor: User, org: Organization, status: OrgStatus) -> None:
    """Suspending an org locks its people out on their next request (see load_user)."""
    if org.status is status:
        return
    before, org.status = org.status, status
    audit.record(actor, "partner.status_changed", org, f"{org.name}: {before.value} → {status.value}",
                 before={"status": before.value}, after={"status": status.value})


def partner_people(org: Organization):
    return sa.select(User).where(User.org_id == org.id).order_by(User.active.desc(), User.name)


def tier_two_resellers(org: Organization) -> list[Organization]:
    return db.session.scalars(
        sa.select(Organization).where(Organization.parent_id == org.id).order_by(Organization.name)
    ).all()
