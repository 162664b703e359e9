"""The fixed demo data (documented in README.md): orgs, people and announcements here; the
program's benefits, the partner agreement, the asset library, deals, co-branding and training in this package's modules, their long texts
and designs in data/. Generated data for benchmarks is in generated.py."""
from datetime import timedelta

import sqlalchemy as sa

from portal.core import clock
from portal.core.access import AudienceSpec, apply_audience
from portal.core.models import (
    Audience, Organization, OrgKind, PartnerType, Persona, Region, Role, User,
)
from portal.core.tiers import tier_by_key
from portal.core.passwords import hash_password
from portal.demo.agreements import seed_demo_agreements
from portal.demo.assets import seed_demo_assets
from portal.demo.cobrand import seed_demo_brand_kits, seed_demo_templates
from portal.demo.deals import seed_demo_deals
from portal.demo.onboarding import seed_demo_applications
from portal.demo.program import seed_demo_program, seed_demo_program_criteria
from portal.demo.training import seed_demo_training
from portal.extensions import db
from portal.rooms.models import Announcement

DEMO_PASSWORD = "partnerhouse"

VENDOR = "Acme Cloud"
ASSET_AUTHOR = "admin@vendor.demo"
PARTNERS = [
    # name, tier, type, region, parent
    ("Summit Peak Systems", "gold", PartnerType.reseller, Region.NA, None),
    ("Harborline IT", "silver", PartnerType.msp, Region.EMEA, None),
    ("Kestrel Referral Co", "registered", PartnerType.referral, Region.APAC, None),
    ("Meridian Distribution", "platinum", PartnerType.distributor, Region.EMEA, None),
    ("Lakeside Tech", "registered", PartnerType.reseller, Region.EMEA, "Meridian Distribution"),
]
USERS = [
    # email, name, org, role, persona
    ("admin@vendor.demo", "Ada Okafor", VENDOR, Role.admin, Persona.sales),
    ("channel@vendor.demo", "Chris Lindqvist", VENDOR, Role.channel_manager, Persona.sales),
    ("admin@gold.demo", "Grace Holt", "Summit Peak Systems", Role.partner_admin, Persona.sales),
    ("sales@gold.demo", "Sam Rivera", "Summit Peak Systems", Role.partner_user, Persona.sales),
    ("presales@gold.demo", "Priya Nair", "Summit Peak Systems", Role.partner_user, Persona.presales),
    ("marketing@gold.demo", "Maya Chen", "Summit Peak Systems", Role.partner_user, Persona.marketing),
    ("admin@silver.demo", "Sofia Brandt", "Harborline IT", Role.partner_admin, Persona.sales),
    ("sales@silver.demo", "Sean Byrne", "Harborline IT", Role.partner_user, Persona.sales),
    ("marketing@silver.demo", "Mila Novak", "Harborline IT", Role.partner_user, Persona.marketing),
    ("admin@registered.demo", "Rhea Kowalski", "Kestrel Referral Co", Role.partner_admin, Persona.sales),
    ("trainee@registered.demo", "Toby Walsh", "Kestrel Referral Co", Role.partner_user, Persona.sales),
    ("admin@distributor.demo", "Dario Conti", "Meridian Distribution", Role.partner_admin, Persona.sales),
    ("admin@tier2.demo", "Lena Fischer", "Lakeside Tech", Role.partner_admin, Persona.sales),
]


def is_seeded() -> bool:
    return db.session.scalar(sa.select(Organization.id).where(Organization.name == VENDOR)) is not None


def seed_demo() -> None:
    """Create the fixed demo orgs, people, announcements, asset library and deals (once)."""
    if is_seeded():
        return
    orgs = {VENDOR: Organization(name=VENDOR, kind=OrgKind.vendor)}
    for name, tier, ptype, region, parent in PARTNERS:
        orgs[name] = Organization(name=name, kind=OrgKind.partner, tier=tier_by_key(tier), partner_type=ptype,
                                  region=region, parent=orgs.get(parent))
    db.session.add_all(orgs.values())
    password_hash = hash_password(DEMO_PASSWORD)
    db.session.add_all(
        User(email=email, name=name, org=orgs[org], role=role, persona=persona, password_hash=password_hash)
        for email, name, org, role, persona in USERS
    )
    db.session.flush()
    _seed_announcements(orgs)
    seed_demo_agreements()
    seed_demo_program()
    seed_demo_assets(orgs, db.session.scalar(sa.select(User).where(User.email == ASSET_AUTHOR)))
    seed_demo_deals()
    seed_demo_brand_kits()
    seed_demo_templates()
    seed_demo_training()
    seed_demo_program_criteria()
    seed_demo_applications()
    db.session.commit()


def _seed_announcements(orgs: dict[str, Organization]) -> None:
    now = clock.now()
    day = timedelta(days=1)
    items = [
        ("Welcome to Partnerhouse",
         "Everything you need to sell with Acme Cloud lives here: **deals**, content and training. "
         "Start with the room made for your job; the tabs at the top switch rooms.",
         AudienceSpec(), True, now - 30 * day, None),
        ("Gold and Platinum: double margin on new logos this quarter",
         "Register new-logo deals before the end of the quarter and earn **2× front-end margin**.\n\n"
         "- New customers only\n- Registered and approved deals\n- Paid within 30 days of close",
         AudienceSpec.tier_floor("gold"), False, now - 5 * day, now + 60 * day),
        ("EMEA partner summit: Lisbon, 12–13 March",
         "Two days of roadmap, hands-on labs and the partner awards. Seats are limited per partner.",
         AudienceSpec(regions=frozenset({Region.EMEA})), False, now - 3 * day, None),
        ("New campaign kit: Cloud Cost Control",
         "Emails, social posts and a landing page, ready to co-brand. Launch window opens next week.",
         AudienceSpec(personas=frozenset({Persona.marketing})), False, now - 2 * day, None),
        ("Presales: the new sandbox demo environment is live",
         "Spin up a full demo tenant in five minutes. Sandboxes reset every Sunday.",
         AudienceSpec(personas=frozenset({Persona.presales})), False, now - 1 * day, None),
        ("MSP pricing pilot for Harborline IT",
         "As discussed, the consumption-based MSP price list applies to your renewals from next month.",
         AudienceSpec(org_ids=frozenset({orgs["Harborline IT"].id})), False, now - 4 * day, None),
        ("Registered partners: your path to Silver",
         "Two certified sales reps and one closed deal make you Silver. The training room shows the way.",
         AudienceSpec(tiers=frozenset({"registered"})), False, now - 6 * day, None),
        ("Sales: register deals early, they are protected for 90 days",
         "The first registration for a customer and product wins. Register as soon as you qualify.",
         AudienceSpec(personas=frozenset({Persona.sales})), False, now - 7 * day, None),
        ("Holiday support hours",
         "Partner support runs reduced hours over the holidays.",
         AudienceSpec(), False, now - 90 * day, now - 60 * day),
        ("Spring pricing update (scheduled)",
         "New list prices take effect on 1 April.",
         AudienceSpec(), False, now + 10 * day, None),
    ]
    for title, body, spec, pinned, publish_at, expire_at in items:
        audience = apply_audience(Audience(), spec)
        announcement = Announcement(title=title, audience=audience, pinned=pinned,
                                    publish_at=publish_at, expire_at=expire_at)
        announcement.set_body(body)
        db.session.add(announcement)
