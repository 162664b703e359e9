"""The demo's applications to join: one just confirmed, one in review flagged "domain already
known" (Northwind Traders is a house account), one declined with its reason; and the
onboarding checklist, which Kestrel Referral Co (approved from its application 130 days ago)
is half-way through."""
from datetime import timedelta

import sqlalchemy as sa

from portal.core import clock
from portal.core.models import Organization, PartnerType, Product, User
from portal.extensions import db
from portal.onboarding import checklist
from portal.onboarding.models import (
    Application, ApplicationNote, ApplicationStatus, Checklist, ChecklistStep, ExpectedBusiness, StepKind,
)
from portal.training.models import LearningPath

APPLICATIONS = [
    # company, website, country, type, contact, email, phone, business, status, days ago, motivation
    ("Fjordline Systems", "https://fjordline.example", "NO", PartnerType.msp, "Ingrid Dahl",
     "ingrid.dahl@fjordline.example", "+47 22 00 41 10", ExpectedBusiness.up_to_500k, ApplicationStatus.new, 0,
     "We run backup and endpoint security for 140 small businesses around Oslo and Bergen, and our customers "
     "keep asking for a cloud option we can manage for them."),
    ("Northwind Solutions", "northwind.example", "GB", PartnerType.reseller, "Tom Ashby",
     "tom.ashby@northwind.example", "+44 20 7946 0321", ExpectedBusiness.up_to_1m, ApplicationStatus.in_review, 3,
     "Part of the Northwind group. We would resell Acme Cloud to our mid-market accounts in the UK."),
    ("QuickLeads Marketing", "https://quickleads.example", "US", PartnerType.referral, "Dana Price",
     "dana@quickleads.example", "+1 415 555 0143", ExpectedBusiness.up_to_100k, ApplicationStatus.declined, 12,
     "We generate leads for software vendors and would like a referral agreement."),
]
NOTE = "The domain belongs to our house account Northwind Traders: checking with the account team first."
DECLINED = "Our referral program is full in North America this year; we will write when places open."


def seed_demo_applications() -> None:
    seed_demo_onboarding()
    _seed_applications()


def _seed_applications() -> None:
    now = clock.now()
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@vendor.demo"))
    channel = db.session.scalar(sa.select(User).where(User.email == "channel@vendor.demo"))
    backup = db.session.scalars(sa.select(Product.id).order_by(Product.id)).first()
    for (company, website, country, ptype, contact, email, phone, business, status, days_ago,
         motivation) in APPLICATIONS:
        at = now - timedelta(days=days_ago, hours=2)
        domain = email.rpartition("@")[2]
        application = Application(
            status=status, at=at, ip="198.51.100.23", company=company, website=website, domain=domain,
            country=country, partner_type=ptype, contact_name=contact, email=email, email_domain=domain, phone=phone,
            expected_business=business, product_ids=[backup] if backup else [], motivation=motivation,
            confirmed_at=at + timedelta(minutes=20))
        if status is ApplicationStatus.in_review:
            application.owner_id = channel.id
            application.notes.append(ApplicationNote(author_id=channel.id, at=at + timedelta(days=1), body=NOTE))
        if status is ApplicationStatus.declined:
            application.owner_id, application.decided_by_id = admin.id, admin.id
            application.decided_at, application.decline_reason = at + timedelta(days=2), DECLINED
        db.session.add(application)


KESTREL = ("Kestrel Referral Co", "kestrel-referrals.example", "AU", "Rhea Kowalski", "admin@registered.demo",
           "+61 2 5550 1234", 130)
STEPS = [(StepKind.agreement, 1, ""), (StepKind.team, 2, ""), (StepKind.certified, 1, ""),
         (StepKind.first_deal, 1, ""), (StepKind.brand_kit, 1, ""), (StepKind.first_cobrand_pdf, 1, ""),
         (StepKind.custom, 1, "Kick-off call with your channel manager")]


def seed_demo_onboarding() -> None:
    """The checklist for every partner type, and Kestrel's onboarding: the agreement, its team of
    two, a certified person and a first deal done; the brand kit, a co-branded PDF and the
    kick-off call to go."""
    sales = db.session.scalar(sa.select(LearningPath.id).where(LearningPath.title == "Sales Fundamentals"))
    every_type = Checklist(partner_type=None)
    for position, (kind, target, title) in enumerate(STEPS, start=1):
        every_type.steps.append(ChecklistStep(position=position, kind=kind, target=target, title=title,
                                              path_id=sales if kind is StepKind.certified else None))
    db.session.add(every_type)
    db.session.flush()
    company, domain, country, contact, email, phone, days_ago = KESTREL
    org = db.session.scalar(sa.select(Organization).where(Organization.name == company))
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@vendor.demo"))
    approved_at = clock.now() - timedelta(days=days_ago)
    application = Application(
        status=ApplicationStatus.approved, at=approved_at - timedelta(days=4), ip="198.51.100.61", company=company,
        website=domain, domain=domain, country=country, partner_type=org.partner_type, contact_name=contact,
        email=email, email_domain=email.rpartition("@")[2], phone=phone, expected_business=ExpectedBusiness.up_to_100k,
        motivation="We refer dental and medical practices in Sydney to software vendors we trust.",
        confirmed_at=approved_at - timedelta(days=4), owner_id=admin.id, decided_by_id=admin.id,
        decided_at=approved_at, org_id=org.id)
    db.session.add(application)
    db.session.flush()
    checklist.start(org, application.id, at=approved_at)
    checklist.record_progress()
