"""The demo program's benefits (the tiers are the migrations' four): a catalogue of five and
each tier's values, deal protection among them."""
from decimal import Decimal

from portal.core.tiers import tier_by_key
from portal.extensions import db
from portal.program.models import Benefit, BenefitKind, BenefitUse, TierBenefit

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
