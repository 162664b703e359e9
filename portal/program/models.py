"""The program's benefits: a catalogue the vendor edits, and each tier's value of each.
(The tiers themselves are core's Tier rows: orgs and audiences point at them.)"""
import enum
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.models import Tier, _enum
from portal.extensions import db

__all__ = ["BenefitKind", "BenefitUse", "Benefit", "TierBenefit"]


class BenefitKind(enum.Enum):
    percent = "percent"
    days = "days"
    count = "count"
    text = "text"

    @property
    def label(self) -> str:
        return {"percent": "A percentage", "days": "A number of days", "count": "A number",
                "text": "A text"}[self.value]


class BenefitUse(enum.Enum):
    """The benefits other modules read, each a catalogue entry of the given kind."""

    discount = "discount"
    deal_protection = "deal_protection"
    mdf_allocation = "mdf_allocation"
    seats = "seats"

    @property
    def label(self) -> str:
        return {"discount": "Partner discount", "deal_protection": "Deal protection",
                "mdf_allocation": "MDF allocation", "seats": "Portal seats"}[self.value]

    @property
    def kind(self) -> BenefitKind:
        return {"discount": BenefitKind.percent, "deal_protection": BenefitKind.days,
                "mdf_allocation": BenefitKind.percent, "seats": BenefitKind.count}[self.value]


class Benefit(db.Model):
    __tablename__ = "program_benefits"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    kind: Mapped[BenefitKind] = mapped_column(_enum(BenefitKind))
    use: Mapped[BenefitUse | None] = mapped_column(_enum(BenefitUse), unique=True)
    position: Mapped[int] = mapped_column(default=0)


class TierBenefit(db.Model):
    """What one tier gets of one benefit: `amount` for numbers (exact), `text` for text benefits."""

    __tablename__ = "program_tier_benefits"
    __table_args__ = (sa.UniqueConstraint("tier_id", "benefit_id", name="uq_program_tier_benefits_tier_benefit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tier_id: Mapped[int] = mapped_column(sa.ForeignKey("tiers.id", ondelete="CASCADE"), index=True)
    benefit_id: Mapped[int] = mapped_column(sa.ForeignKey("program_benefits.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    text: Mapped[str] = mapped_column(sa.String(500), default="")

    tier: Mapped[Tier] = relationship()
    benefit: Mapped[Benefit] = relationship()

    @property
    def shown_value(self) -> str:
        """The value as typed: "12.5", "120" or the text."""
        if self.benefit.kind is BenefitKind.text:
            return self.text
        return f"{self.amount.normalize():f}" if self.amount is not None else ""

    @property
    def shown(self) -> str:
        """The value as a partner reads it: "12.5 %", "120 days", "10", or the text."""
        value = self.shown_value
        return {BenefitKind.percent: f"{value} %", BenefitKind.days: f"{value} days"}.get(self.benefit.kind, value)
