"""Organisations, people, audiences, audit trail, outbox and login attempts."""
import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core import clock
from portal.extensions import db


class PartnerType(enum.Enum):
    reseller = "reseller"
    distributor = "distributor"
    msp = "msp"
    referral = "referral"
    si = "si"

    @property
    def label(self) -> str:
        return {"msp": "MSP", "si": "SI"}.get(self.value, self.value.title())


class Region(enum.Enum):
    NA = "NA"
    EMEA = "EMEA"
    APAC = "APAC"
    LATAM = "LATAM"

    @property
    def label(self) -> str:
        return self.value


class Persona(enum.Enum):
    sales = "sales"
    presales = "presales"
    marketing = "marketing"
    post_sales = "post_sales"

    @property
    def label(self) -> str:
        return {"post_sales": "Post-sales", "presales": "Presales"}.get(
            self.value, self.value.title()
        )


class Role(enum.Enum):
    admin = "admin"
    channel_manager = "channel_manager"
    partner_admin = "partner_admin"
    partner_user = "partner_user"

    @property
    def is_vendor(self) -> bool:
        return self in (Role.admin, Role.channel_manager)

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class OrgKind(enum.Enum):
    vendor = "vendor"
    partner = "partner"


class OrgStatus(enum.Enum):
    active = "active"
    suspended = "suspended"

    @property
    def label(self) -> str:
        return self.value.title()


def _enum(cls):
    return sa.Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Tier(db.Model):
    """A level of the partner program, defined by the vendor (portal/program edits them).

    Orgs hold one; audiences name tiers (a set, or a floor that includes every tier ranked
    at or above it, so a tier added later above "Gold" is in "Gold and above"). `slot` is
    the tier's bit in an audience's tier mask, kept when ranks change."""

    __tablename__ = "tiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(40), unique=True)  # in URLs, filters, the API and CSS classes
    name: Mapped[str] = mapped_column(sa.String(60), unique=True)
    rank: Mapped[int] = mapped_column(unique=True)  # higher is better
    colour: Mapped[str] = mapped_column(sa.String(7), default="#98a2b3")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    slot: Mapped[int] = mapped_column(sa.SmallInteger, unique=True)

    MAX_SLOTS = 63  # the bits of a 64-bit signed mask

    # As an enum member has them: choices, filters and badges treat tiers like the other dimensions.
    @property
    def value(self) -> str:
        return self.key

    @property
    def label(self) -> str:
        return self.name

    @property
    def bit(self) -> int:
        return 1 << self.slot


class Organization(db.Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[OrgKind] = mapped_column(_enum(OrgKind))
    tier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tiers.id"), index=True)
    partner_type: Mapped[PartnerType | None] = mapped_column(_enum(PartnerType))
    region: Mapped[Region | None] = mapped_column(_enum(Region))
    status: Mapped[OrgStatus] = mapped_column(_enum(OrgStatus), default=OrgStatus.active)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    tier: Mapped[Tier | None] = relationship()
    parent: Mapped["Organization | None"] = relationship(remote_side=[id])

    @property
    def is_vendor(self) -> bool:
        return self.kind is OrgKind.vendor

    @property
    def is_active(self) -> bool:
        return self.status is OrgStatus.active


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role))
    persona: Mapped[Persona] = mapped_column(_enum(Persona), default=Persona.sales)
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(200))
    # Rotated on password change and deactivation: every session and link minted
    # before the rotation stops working.
    session_token: Mapped[str] = mapped_column(
        sa.String(64), default=lambda: secrets.token_urlsafe(24)
    )
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_login_at: Mapped[datetime | None]

    org: Mapped[Organization] = relationship(lazy="joined", innerjoin=True)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active and self.org.is_active

    @property
    def is_vendor(self) -> bool:
        return self.role.is_vendor

    def rotate_session_token(self) -> None:
        self.session_token = secrets.token_urlsafe(24)


class ApiToken(db.Model):
    """A personal API token: its owner's scripts act as them on /api/v1. Only the SHA-256
    of the secret is stored; the prefix lets the owner recognise it in their list."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, index=True)
    prefix: Mapped[str] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


audience_orgs = sa.Table(
    "audience_orgs",
    db.metadata,
    sa.Column("audience_id", sa.ForeignKey("audiences.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("org_id", sa.ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True),
)


class Audience(db.Model):
    """Who may see a piece of content. Each dimension is a bitmask; 0 means everyone.

    Dimensions are ANDed; within a dimension any listed value matches. Tiers are a mask of
    Tier.slot bits, or a floor (min_tier: that tier's rank and above). Named orgs, when
    present, restrict the content to exactly those partner orgs.
    """

    __tablename__ = "audiences"

    id: Mapped[int] = mapped_column(primary_key=True)
    tiers: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    min_tier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tiers.id"))
    partner_types: Mapped[int] = mapped_column(default=0)
    regions: Mapped[int] = mapped_column(default=0)
    personas: Mapped[int] = mapped_column(default=0)
    has_orgs: Mapped[bool] = mapped_column(default=False)

    orgs: Mapped[list[Organization]] = relationship(secondary=audience_orgs, order_by=Organization.name)
    min_tier: Mapped[Tier | None] = relationship()


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(80), index=True)
    subject_type: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(sa.String(300))
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)

    actor: Mapped[User | None] = relationship()
    org: Mapped[Organization | None] = relationship()


class OutboxEmail(db.Model):
    __tablename__ = "outbox_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(sa.String(254), index=True)
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    sent_at: Mapped[datetime | None]


class LoginAttempt(db.Model):
    __tablename__ = "login_attempts"
    __table_args__ = (
        sa.Index("ix_login_attempts_email_at", "email", "at"),
        sa.Index("ix_login_attempts_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=clock.now)
    email: Mapped[str] = mapped_column(sa.String(254))
    ip: Mapped[str] = mapped_column(sa.String(64))
    success: Mapped[bool]


class Product(db.Model):
    """The vendor's product list: assets, templates and deals name products from it."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
