"""The demo program (the tiers are the migrations' four): a catalogue of five benefits and
each tier's values, deal protection among them; then, once training and deals are seeded,
the criteria, the rates, the evidence and the evaluations that put the README's partners
where they stand."""
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from portal.core import clock
from portal.core.models import Organization, User
from portal.core.tiers import tier_by_key
from portal.extensions import db
from portal.program import tiering
from portal.program.models import (
    Benefit, BenefitKind, BenefitUse, Criterion, CriterionKind, Evidence, ExchangeRate, TierBenefit,
)
from portal.training.models import LearningPath

BUSINESS_PLAN = "Signed annual business plan"

# name, kind, use, values by tier key
BENEFITS = [
    ("Partner discount", BenefitKind.percent, BenefitUse.discount,
     {"silver": "10", "gold": "15", "platinum": "20"}),
    ("Deal protection", BenefitKind.days, BenefitUse.deal_protection,
     {"registered": "60", "silver": "90", "gold": "90", "platinum": "120"}),
    ("MDF allocation", BenefitKind.percent, BenefitUse.mdf_allocation, {"gold": "2", "platinum": "3.5"}),
    ("Portal seats", BenefitKind.count, BenefitUse.seats,
     {"registered": "5", "silver": "15", "gold": "40", "platinum": "100"}),
    ("Channel account manager", BenefitKind.text, None,
     {"gold": "A pooled channel team", "platinum": "A named channel account manager"}),
]


def seed_demo_program() -> None:
    for position, (name, kind, use, values) in enumerate(BENEFITS, start=1):
        benefit = Benefit(name=name, kind=kind, use=use, position=position)
        db.session.add(benefit)
        for key, value in values.items():
            text = value if kind is BenefitKind.text else ""
            amount = None if kind is BenefitKind.text else Decimal(value)
            db.session.add(TierBenefit(tier=tier_by_key(key), benefit=benefit, amount=amount, text=text))

# tier key -> criteria: (kind, target, learning path title or evidence name)
CRITERIA = {
    "silver": [(CriterionKind.certified_people, 1, "Sales Fundamentals"), (CriterionKind.won_revenue, 40_000, ""),
               (CriterionKind.approved_deals, 2, "")],
    "gold": [(CriterionKind.certified_people, 2, "Sales Fundamentals"), (CriterionKind.won_revenue, 45_000, ""),
             (CriterionKind.approved_deals, 4, ""), (CriterionKind.evidence, 1, BUSINESS_PLAN)],
    "platinum": [(CriterionKind.certified_people, 4, "Sales Fundamentals"),
                 (CriterionKind.certified_people, 2, "Technical Specialist"),
                 (CriterionKind.won_revenue, 400_000, ""), (CriterionKind.approved_deals, 8, ""),
                 (CriterionKind.evidence, 1, BUSINESS_PLAN)],
}
RATES = {"CAD": "0.73", "DKK": "0.145", "EUR": "1.08", "GBP": "1.27"}  # into USD; NOK has none
PLANS_CONFIRMED = {"Summit Peak Systems": 100, "Harborline IT": 50}  # days ago
GRACE_STARTED_DAYS_AGO = 10  # the first evaluation: Grace Holt's certification had lapsed 15 days before
PINNED = ("Meridian Distribution", "Strategic distribution agreement: Platinum through its term.", 200)  # days


def seed_demo_program_criteria() -> None:
    """After training and deals: the criteria, exchange rates and confirmed business plans,
    Meridian pinned at Platinum, and the evaluations of the last weeks: Summit in its grace
    period (Grace Holt's certification lapsed), Lakeside's promotion to Silver in the queue,
    Harborline one certification short of Gold, Kestrel one open deal short of Silver (its
    what-if)."""
    paths = {path.title: path for path in db.session.scalars(sa.select(LearningPath))}
    for key, criteria in CRITERIA.items():
        tier = tier_by_key(key)
        for kind, target, name in criteria:
            path = paths.get(name) if kind is CriterionKind.certified_people else None
            db.session.add(Criterion(tier=tier, kind=kind, target=target, path=path, window_months=12,
                                     name=name if kind is CriterionKind.evidence else ""))
    for currency, rate in RATES.items():
        db.session.add(ExchangeRate(currency=currency, rate=Decimal(rate)))
    db.session.flush()
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@vendor.demo"))
    now = clock.now()
    for org_name, days_ago in PLANS_CONFIRMED.items():
        org = db.session.scalar(sa.select(Organization).where(Organization.name == org_name))
        for criterion in db.session.scalars(sa.select(Criterion).where(Criterion.name == BUSINESS_PLAN)):
            db.session.add(Evidence(org=org, criterion=criterion, submitted_at=now - timedelta(days=days_ago + 2),
                                    confirmed_by_id=admin.id, confirmed_at=now - timedelta(days=days_ago)))
    org_name, reason, days = PINNED
    meridian = db.session.scalar(sa.select(Organization).where(Organization.name == org_name))
    tiering.override(admin, meridian, meridian.tier, reason, (now + timedelta(days=days)).date())
    with clock.travel(-timedelta(days=GRACE_STARTED_DAYS_AGO)):
        tiering.evaluate()
    tiering.evaluate()
