"""Two-tier distribution: a distributor's admins and their tier-2 resellers. Who may see
which reseller is core.access.resellers_visible_to; which of their deals,
deals.services.reseller_deals_visible_to. Here: the list, one reseller, and registering a
deal on a reseller's behalf."""
from dataclasses import dataclass

import sqlalchemy as sa

from portal.core import clock
from portal.core.access import get_or_404, resellers_visible_to
from portal.core.errors import DomainError
from portal.core.models import Organization, OrgStatus, Role, User
from portal.deals import services as deals
from portal.deals.models import Deal, DealStatus
from portal.extensions import db


class DistributionError(DomainError):
    pass


@dataclass(frozen=True)
class OnBehalf:
    reseller_id: int
    deal: deals.DealInput


def resellers(actor: User):
    """The actor's resellers by name, each row (reseller, open deals, registered deals): open
    is waiting for review or protected as of now."""
    still_open = sa.or_(Deal.status == DealStatus.submitted, deals.with_status(DealStatus.approved, clock.now()))
    counts = (deals.reseller_deals_visible_to(actor)
              .with_only_columns(Deal.org_id, sa.func.count().label("registered"),
                                 sa.func.count().filter(still_open).label("open"))
              .group_by(Deal.org_id).subquery())
    return (resellers_visible_to(actor)
            .add_columns(sa.func.coalesce(counts.c.open, 0), sa.func.coalesce(counts.c.registered, 0))
            .outerjoin(counts, counts.c.org_id == Organization.id)
            .order_by(Organization.name, Organization.id))


def get_reseller(actor: User, reseller_id: int) -> Organization:
    return get_or_404(resellers_visible_to(actor), Organization, reseller_id)


def reseller_for(actor: User, reseller_id: int) -> Organization | None:
    """One of the actor's active resellers by id, or None."""
    return db.session.scalar(resellers_visible_to(actor).where(Organization.status == OrgStatus.active,
                                                               Organization.id == reseller_id))


def owner_of(reseller: Organization) -> User | None:
    """Who owns a deal registered on the reseller's behalf: its first active admin."""
    return db.session.scalars(sa.select(User).where(User.org_id == reseller.id, User.role == Role.partner_admin,
                                                    User.active.is_(True)).order_by(User.id)).first()


def active_resellers(actor: User) -> list[Organization]:
    """The resellers a distributor may register a deal for."""
    stmt = resellers_visible_to(actor).where(Organization.status == OrgStatus.active).order_by(Organization.name)
    return db.session.scalars(stmt).all()


def register_for_reseller(actor: User, data: OnBehalf) -> Deal:
    """Register and submit a deal for one of the actor's active resellers; its first active
    admin owns it."""
    reseller = next((org for org in active_resellers(actor) if org.id == data.reseller_id), None)
    if reseller is None:
        raise DistributionError("Choose one of your active resellers.", field="reseller_id")
    owner = owner_of(reseller)
    if owner is None:
        raise DistributionError(f"{reseller.name} has no active admin to own the deal; ask them to add one.",
                                field="reseller_id")
    return deals.register_on_behalf(actor, reseller, owner, data.deal)
