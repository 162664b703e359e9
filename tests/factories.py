"""Small factories for rows the demo seed does not have."""
import itertools

from portal.core.access import AudienceSpec, apply_audience
from portal.core.models import Audience, Organization, OrgKind, PartnerType, Persona, Region, Role, Tier, User
from portal.extensions import db
from portal.rooms.models import Announcement

_seq = itertools.count(1)


def make_partner(tier=Tier.silver, partner_type=PartnerType.reseller, region=Region.NA, **kw) -> Organization:
    org = Organization(name=kw.pop("name", f"Partner {next(_seq)}"), kind=OrgKind.partner, tier=tier,
                       partner_type=partner_type, region=region, **kw)
    db.session.add(org)
    db.session.flush()
    return org


def make_user(org: Organization, role=Role.partner_user, persona=Persona.sales, **kw) -> User:
    n = next(_seq)
    user = User(email=kw.pop("email", f"user{n}@example.com"), name=kw.pop("name", f"User {n}"), org=org,
                role=role, persona=persona, **kw)
    db.session.add(user)
    db.session.flush()
    return user


def make_announcement(spec: AudienceSpec = AudienceSpec(), **kw) -> Announcement:
    body = kw.pop("body", "Body")
    announcement = Announcement(title=kw.pop("title", f"News {next(_seq)}"),
                                audience=apply_audience(Audience(), spec), **kw)
    announcement.set_body(body)
    db.session.add(announcement)
    db.session.flush()
    return announcement
