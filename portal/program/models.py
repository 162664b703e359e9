"""The partner program's data: the benefit catalogue and each tier's values, the criteria a
tier asks for, partners' evidence, the program settings and exchange rates, every tier
change with its evidence, and each org's pin and grace period. (The tiers themselves are
core's Tier rows: orgs and audiences point at them.)"""
import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core import clock
from portal.core.models import Organization, PartnerType, Tier, User, _enum
from portal.extensions import db

if TYPE_CHECKING:
    from portal.training.models import LearningPath

__all__ = ["BenefitKind", "BenefitUse", "Benefit", "TierBenefit", "CriterionKind", "Criterion", "Evidence",
           "PromotionPolicy", "ProgramSettings", "ExchangeRate", "ChangeStatus", "ChangeKind", "TierChange",
           "OrgStanding"]


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


class CriterionKind(enum.Enum):
    certified_people = "certified_people"
    won_revenue = "won_revenue"
    approved_deals = "approved_deals"
    evidence = "evidence"

    @property
    def label(self) -> str:
        return {"certified_people": "Certified people", "won_revenue": "Won partner-sourced revenue",
                "approved_deals": "Approved deal registrations", "evidence": "Evidence the vendor confirms"}[self.value]

    @property
    def windowed(self) -> bool:
        """Measured over the trailing window (certifications count while they are valid)."""
        return self in (CriterionKind.won_revenue, CriterionKind.approved_deals, CriterionKind.evidence)


class Criterion(db.Model):
    """What a partner must show to hold a tier, measured from the portal's own data.

    `target` is a number of people or of registrations, whole units of the program's currency
    of won revenue, or 1 for evidence. `partner_type` empty: it applies to every type."""

    __tablename__ = "program_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    tier_id: Mapped[int] = mapped_column(sa.ForeignKey("tiers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CriterionKind] = mapped_column(_enum(CriterionKind))
    partner_type: Mapped[PartnerType | None] = mapped_column(_enum(PartnerType))
    path_id: Mapped[int | None] = mapped_column(sa.ForeignKey("training_paths.id", ondelete="CASCADE"), index=True)
    target: Mapped[int] = mapped_column(sa.BigInteger)
    window_months: Mapped[int] = mapped_column(default=12)
    name: Mapped[str] = mapped_column(sa.String(200), default="")  # evidence: what to show

    tier: Mapped[Tier] = relationship()
    path: Mapped["LearningPath | None"] = relationship()

    def applies_to(self, partner_type: PartnerType | None) -> bool:
        return self.partner_type is None or self.partner_type is partner_type

    @property
    def description(self) -> str:
        """In words: "People certified “Technical Specialist”", "Won revenue, trailing 12 months"."""
        kind = self.kind
        if kind is CriterionKind.certified_people:
            text = f"People certified “{self.path.certification_name or self.path.title}”"
        elif kind is CriterionKind.won_revenue:
            text = f"Won revenue, trailing {self.window_months} months"
        elif kind is CriterionKind.approved_deals:
            text = f"Approved deal registrations, trailing {self.window_months} months"
        else:
            text = self.name
        return f"{text} ({self.partner_type.label}s)" if self.partner_type else text

    @property
    def measure(self) -> tuple:
        """Criteria with one measure compare targets across tiers (a lower tier may not ask for more)."""
        return (self.kind, self.partner_type, self.path_id, self.window_months, self.name)


class Evidence(db.Model):
    """A partner's evidence for an evidence criterion: a file (in the file store) or a plain
    request to confirm, which counts once the vendor confirms it, for the criterion's window
    from then, for every evidence criterion of the same name."""

    __tablename__ = "program_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("program_criteria.id", ondelete="CASCADE"), index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=clock.now)
    file_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    file_name: Mapped[str | None] = mapped_column(sa.String(200))
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None]

    org: Mapped[Organization] = relationship()
    criterion: Mapped[Criterion] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])


class PromotionPolicy(enum.Enum):
    automatic = "automatic"
    reviewed = "reviewed"

    @property
    def label(self) -> str:
        return {"automatic": "Apply at once", "reviewed": "Wait in the vendor's queue"}[self.value]


class ProgramSettings(db.Model):
    """The program's one row of settings (id ONLY, written by the migrations)."""

    __tablename__ = "program_settings"
    ONLY = 1

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD")  # of revenue targets
    promotions: Mapped[PromotionPolicy] = mapped_column(_enum(PromotionPolicy), default=PromotionPolicy.reviewed)
    grace_days: Mapped[int] = mapped_column(default=90)
    evaluated_on: Mapped[date | None]  # the day tick last evaluated every partner


class ExchangeRate(db.Model):
    """How many units of the program's currency one unit of `currency` is worth (exact)."""

    __tablename__ = "program_exchange_rates"

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(sa.String(3), unique=True)
    rate: Mapped[Decimal] = mapped_column(sa.Numeric(18, 8))
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class ChangeStatus(enum.Enum):
    pending = "pending"  # a promotion in the vendor's queue
    applied = "applied"
    declined = "declined"
    withdrawn = "withdrawn"  # the partner no longer qualified before anyone decided

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ChangeKind(enum.Enum):
    promotion = "promotion"
    demotion = "demotion"
    override = "override"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class TierChange(db.Model):
    """One tier change, proposed or made, with the evidence behind it: `evidence` holds each
    criterion's measured value and target for both tiers, as evaluated at `evaluated_at`."""

    __tablename__ = "program_tier_changes"
    __table_args__ = (sa.Index("ix_program_tier_changes_status_org", "status", "org_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    kind: Mapped[ChangeKind] = mapped_column(_enum(ChangeKind))
    status: Mapped[ChangeStatus] = mapped_column(_enum(ChangeStatus))
    from_tier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tiers.id", ondelete="SET NULL"))
    to_tier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tiers.id", ondelete="SET NULL"))
    from_tier_name: Mapped[str] = mapped_column(sa.String(60), default="")  # as named then
    to_tier_name: Mapped[str] = mapped_column(sa.String(60))
    evidence: Mapped[list] = mapped_column(sa.JSON, default=list)
    reason: Mapped[str] = mapped_column(sa.String(1000), default="")
    automatic: Mapped[bool] = mapped_column(default=False)
    evaluated_at: Mapped[datetime] = mapped_column(default=clock.now)
    deferred_until: Mapped[date | None]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    org: Mapped[Organization] = relationship()
    from_tier: Mapped[Tier | None] = relationship(foreign_keys=[from_tier_id])
    to_tier: Mapped[Tier | None] = relationship(foreign_keys=[to_tier_id])
    decided_by: Mapped[User | None] = relationship()


class OrgStanding(db.Model):
    """An org's program state between evaluations: a pin the vendor set, and a demotion's
    grace period (started when it fell below its tier, warned once 14 days before the end)."""

    __tablename__ = "program_org_standings"

    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    pinned_until: Mapped[date | None]
    pin_reason: Mapped[str] = mapped_column(sa.String(1000), default="")
    grace_tier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tiers.id", ondelete="SET NULL"))  # it falls to
    grace_started_at: Mapped[datetime | None]
    grace_ends_at: Mapped[datetime | None]
    grace_reminded: Mapped[bool] = mapped_column(default=False)
    grace_evidence: Mapped[list] = mapped_column(sa.JSON, default=list)

    org: Mapped[Organization] = relationship()
    grace_tier: Mapped[Tier | None] = relationship()
