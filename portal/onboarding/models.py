"""Applications to join the program, the vetting team's notes on them, and what the program
recruits (the regions it covers, the partner types it accepts)."""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core import clock
from portal.core.models import Organization, PartnerType, Region, User, _enum
from portal.extensions import db

__all__ = ["ApplicationStatus", "ExpectedBusiness", "Application", "ApplicationNote", "RecruitmentSettings"]


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
