"""Small factories for rows the demo seed does not have."""
import itertools
from datetime import timedelta

from portal.core.access import AudienceSpec, apply_audience
from portal.core.models import Audience, Organization, OrgKind, PartnerType, Persona, Region, Role, User
from portal.core.tiers import tier_by_key
from portal.extensions import db
from portal.rooms.models import Announcement

_seq = itertools.count(1)


def make_partner(tier="silver", partner_type=PartnerType.reseller, region=Region.NA, **kw) -> Organization:
    """A partner org; `tier` is a tier's key (the migrations make registered, silver, gold, platinum)."""
    org = Organization(name=kw.pop("name", f"Partner {next(_seq)}"), kind=OrgKind.partner, tier=tier_by_key(tier),
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


def make_asset(actor: User, spec: AudienceSpec = AudienceSpec(), text: str = "Plain words.", filename: str = "notes.md",
               data: bytes | None = None, **kw):
    """An asset with one file version, made through the real upload pipeline."""
    from portal.assets import services
    from portal.assets.uploads import prepare
    from portal.assets.models import AssetType
    from portal.core import clock
    from portal.storage import current_store

    n = next(_seq)
    values = dict(title=f"Asset {n}", summary="", asset_type=AssetType.datasheet, product_id=None, tags="",
                  language="en", publish_at=clock.now() - timedelta(days=1), expire_at=None, external_url=None,
                  audience=spec)
    values.update(kw)
    file = prepare(data if data is not None else text.encode(), filename, current_store())
    return services.create_asset(actor, services.AssetInput(**values), file)
