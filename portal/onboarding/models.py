"""Applications to join the program, the vetting team's notes on them, and what the program
recruits (the regions it covers, the partner types it accepts); the onboarding checklists
per partner type, and each new partner's progress through its checklist."""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from portal.core import clock
from portal.core.models import Organization, PartnerType, Region, User, _enum
from portal.extensions import db

__all__ = ["ApplicationStatus", "ExpectedBusiness", "Application", "ApplicationNote", "RecruitmentSettings",
           "StepKind", "Checklist", "ChecklistStep", "Onboarding", "StepProgress"]


class ApplicationStatus(enum.Enum):
    unconfirmed = "unconfirmed"  # the applicant has not clicked the emailed link yet
    new = "new"
    in_review = "in_review"
    approved = "approved"
    declined = "declined"
    expired = "expired"  # never confirmed within the week

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class ExpectedBusiness(enum.Enum):
    """What the applicant expects to sell in its first year, in the program's currency."""

    up_to_100k = "up_to_100k"
    up_to_500k = "up_to_500k"
    up_to_1m = "up_to_1m"
    over_1m = "over_1m"

    @property
    def label(self) -> str:
        return {"up_to_100k": "Up to 100,000", "up_to_500k": "100,000 to 500,000",
                "up_to_1m": "500,000 to 1 million", "over_1m": "Over 1 million"}[self.value]


class Application(db.Model):
    __tablename__ = "applications"
    __table_args__ = (sa.Index("ix_applications_status_at", "status", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[ApplicationStatus] = mapped_column(_enum(ApplicationStatus), default=ApplicationStatus.unconfirmed)
    at: Mapped[datetime] = mapped_column(default=clock.now)  # submitted
    ip: Mapped[str] = mapped_column(sa.String(64), index=True)
    company: Mapped[str] = mapped_column(sa.String(200))
    website: Mapped[str] = mapped_column(sa.String(253))
    domain: Mapped[str] = mapped_column(sa.String(253), index=True)  # the website's host, sans www.
    country: Mapped[str] = mapped_column(sa.String(2))
    partner_type: Mapped[PartnerType] = mapped_column(_enum(PartnerType))
    contact_name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254))
    email_domain: Mapped[str] = mapped_column(sa.String(253), index=True)
    phone: Mapped[str] = mapped_column(sa.String(40))
    expected_business: Mapped[ExpectedBusiness] = mapped_column(_enum(ExpectedBusiness))
    product_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    motivation: Mapped[str] = mapped_column(sa.Text)
    confirmed_at: Mapped[datetime | None]
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decline_reason: Mapped[str] = mapped_column(sa.String(2000), default="")
    org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"))  # made on approval

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    org: Mapped[Organization | None] = relationship()
    notes: Mapped[list["ApplicationNote"]] = relationship(back_populates="application", cascade="all, delete-orphan",
                                                          order_by="ApplicationNote.id")


class ApplicationNote(db.Model):
    __tablename__ = "application_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=clock.now)
    body: Mapped[str] = mapped_column(sa.Text)

    application: Mapped[Application] = relationship(back_populates="notes")
    author: Mapped[User] = relationship()


class RecruitmentSettings(db.Model):
    """One row (written by the migration): whom the program recruits; the vetting checks read it."""

    __tablename__ = "recruitment_settings"
    ONLY = 1

    id: Mapped[int] = mapped_column(primary_key=True)
    regions: Mapped[list[str]] = mapped_column(sa.JSON)  # Region values
    partner_types: Mapped[list[str]] = mapped_column(sa.JSON)  # PartnerType values

    @property
    def covered_regions(self) -> set[Region]:
        return {Region(value) for value in self.regions}

    @property
    def accepted_types(self) -> set[PartnerType]:
        return {PartnerType(value) for value in self.partner_types}


# --- onboarding -----------------------------------------------------------------------------------


class StepKind(enum.Enum):
    """What a step asks for; all but `custom` complete themselves from the portal's data."""

    agreement = "agreement"
    brand_kit = "brand_kit"
    team = "team"
    certified = "certified"
    first_deal = "first_deal"
    first_cobrand_pdf = "first_cobrand_pdf"
    custom = "custom"  # the vendor confirms it by hand

    @property
    def label(self) -> str:
        return {"agreement": "Accept the partner agreement", "brand_kit": "Complete the brand kit",
                "team": "Invite the team", "certified": "Get people certified",
                "first_deal": "Register the first deal", "first_cobrand_pdf": "Make the first co-branded PDF",
                "custom": "A step the channel team confirms"}[self.value]


class Checklist(db.Model):
    """The onboarding steps for one partner type (none: every type without its own)."""

    __tablename__ = "onboarding_checklists"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_type: Mapped[PartnerType | None] = mapped_column(_enum(PartnerType), unique=True)
    steps: Mapped[list["ChecklistStep"]] = relationship(back_populates="checklist", cascade="all, delete-orphan",
                                                        order_by="ChecklistStep.position")


class ChecklistStep(db.Model):
    __tablename__ = "onboarding_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[int] = mapped_column(sa.ForeignKey("onboarding_checklists.id", ondelete="CASCADE"),
                                              index=True)
    position: Mapped[int]
    kind: Mapped[StepKind] = mapped_column(_enum(StepKind))
    target: Mapped[int] = mapped_column(default=1)  # people on the team, people certified
    path_id: Mapped[int | None] = mapped_column(sa.ForeignKey("training_paths.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(200), default="")  # custom steps (others may rename theirs)

    checklist: Mapped[Checklist] = relationship(back_populates="steps")
    path = relationship("LearningPath")


class Onboarding(db.Model):
    """A new partner's onboarding: from its approval to the moment its last step completed."""

    __tablename__ = "onboardings"

    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    id = synonym("org_id")  # what compare-and-set keys on
    application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("applications.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(default=clock.now)
    completed_at: Mapped[datetime | None]

    org: Mapped[Organization] = relationship()


class StepProgress(db.Model):
    """One step for one org: made when the onboarding starts (or the step is added), completed
    once (a compare-and-set on completed_at), reminded about at most once."""

    __tablename__ = "onboarding_progress"
    __table_args__ = (sa.UniqueConstraint("org_id", "step_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("onboardings.org_id", ondelete="CASCADE"), index=True)
    step_id: Mapped[int] = mapped_column(sa.ForeignKey("onboarding_steps.id", ondelete="CASCADE"), index=True)
    completed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reminded_at: Mapped[datetime | None]

    step: Mapped[ChecklistStep] = relationship()
    confirmed_by: Mapped[User | None] = relationship()
