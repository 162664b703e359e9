"""Agreements and acceptances.

An agreement's `scope` is its partner type's value, or EVERY_TYPE when `partner_type` is NULL
(the agreement for every type without one of its own). Version numbers count per scope, and
(scope, version) is unique: a NULL partner type could not be unique on both databases. A
published agreement's text never changes (services refuse it), so an acceptance's
`text_sha256` names the text the admin read.
"""
import enum
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core import clock
from portal.core.models import Organization, PartnerType, User, _enum
from portal.extensions import db

__all__ = ["AgreementStatus", "Agreement", "Acceptance", "EVERY_TYPE"]

EVERY_TYPE = "all"


class AgreementStatus(enum.Enum):
    draft = "draft"
    published = "published"
    retired = "retired"

    @property
    def label(self) -> str:
        return self.value.title()


class Agreement(db.Model):
    __tablename__ = "agreements"
    __table_args__ = (sa.UniqueConstraint("scope", "version", name="uq_agreements_scope_version"),
                      sa.Index("ix_agreements_scope_status", "scope", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_type: Mapped[PartnerType | None] = mapped_column(_enum(PartnerType))  # NULL: every type
    scope: Mapped[str] = mapped_column(sa.String(20))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)  # Markdown, as the vendor wrote it
    body_html: Mapped[str] = mapped_column(sa.Text, default="")  # rendered safely on save
    status: Mapped[AgreementStatus] = mapped_column(_enum(AgreementStatus), default=AgreementStatus.draft)
    grace_days: Mapped[int] = mapped_column(default=30)
    text_sha256: Mapped[str | None] = mapped_column(sa.String(64))  # set when published
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    retired_at: Mapped[datetime | None]

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])

    @property
    def type_label(self) -> str:
        return self.partner_type.label if self.partner_type else "Every partner type"

    @property
    def grace_ends_at(self) -> datetime | None:
        """When orgs that accepted an earlier version must have accepted this one."""
        return self.published_at + timedelta(days=self.grace_days) if self.published_at else None

    @property
    def is_draft(self) -> bool:
        return self.status is AgreementStatus.draft


class Acceptance(db.Model):
    """One org's acceptance of one agreement version, with what was accepted and by whom."""

    __tablename__ = "agreement_acceptances"
    __table_args__ = (sa.UniqueConstraint("agreement_id", "org_id", name="uq_agreement_acceptances_agreement_org"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id"), index=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    typed_name: Mapped[str] = mapped_column(sa.String(200))
    accepted_at: Mapped[datetime] = mapped_column(default=clock.now)
    ip: Mapped[str] = mapped_column(sa.String(45), default="")
    version: Mapped[int]  # the agreement's, copied: the record reads on its own
    text_sha256: Mapped[str] = mapped_column(sa.String(64))
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)  # the public verification code
    pdf_key: Mapped[str | None] = mapped_column(sa.String(64))
    pdf_sha256: Mapped[str | None] = mapped_column(sa.String(64))

    agreement: Mapped[Agreement] = relationship()
    org: Mapped[Organization] = relationship()
    user: Mapped[User] = relationship()
