"""Deal registrations, the vendor's house accounts, and extension requests."""
import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core import clock
from portal.core.models import Organization, Product, User, _enum
from portal.deals.matching import KEY_COMPANY_WIDTH, KEY_TOKEN_WIDTH, Keys, Level, Reason
from portal.extensions import db

__all__ = ["Deal", "DealStatus", "DealStage", "ExtensionRequest", "HouseAccount", "deal_products"]


class DealStatus(enum.Enum):
    draft = "draft"
    submitted = "submitted"
    approved = "approved"
    rejected = "rejected"
    won = "won"
    lost = "lost"
    expired = "expired"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class DealStage(enum.Enum):
    prospecting = "prospecting"
    qualified = "qualified"
    proposal = "proposal"
    negotiation = "negotiation"
    commit = "commit"

    @property
    def label(self) -> str:
        return self.value.capitalize()


deal_products = sa.Table(
    "deal_products",
    db.metadata,
    sa.Column("deal_id", sa.ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("product_id", sa.ForeignKey("products.id"), primary_key=True, index=True),
)


class MatchKeys:
    """The normalised customer keys (see deals.matching) stored on deals and house
    accounts, one indexed column each, so conflict candidates are index lookups."""

    key_company: Mapped[str] = mapped_column(sa.String(KEY_COMPANY_WIDTH), index=True)
    key_token: Mapped[str] = mapped_column(sa.String(KEY_TOKEN_WIDTH), index=True)
    key_domain: Mapped[str | None] = mapped_column(sa.String(253), index=True)
    key_email: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    key_phone: Mapped[str | None] = mapped_column(sa.String(20), index=True)

    @property
    def keys(self) -> Keys:
        return Keys(self.key_company, self.key_token, self.key_domain, self.key_email, self.key_phone)

    @keys.setter
    def keys(self, keys: Keys) -> None:
        self.key_company, self.key_token = keys.company, keys.company_token
        self.key_domain, self.key_email, self.key_phone = keys.domain, keys.email, keys.phone


class Deal(MatchKeys, db.Model):
    __tablename__ = "deals"
    __table_args__ = (sa.Index("ix_deals_status_submitted", "status", "submitted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    # The customer
    customer_company: Mapped[str] = mapped_column(sa.String(200))
    customer_website: Mapped[str | None] = mapped_column(sa.String(253))
    contact_name: Mapped[str] = mapped_column(sa.String(200))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(40))
    country: Mapped[str] = mapped_column(sa.String(2))  # ISO 3166 alpha-2
    # The opportunity
    # Whole units of `currency`; 64 bits, as the form accepts up to forms.MAX_AMOUNT (10^12).
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3))
    close_date: Mapped[date]
    stage: Mapped[DealStage] = mapped_column(_enum(DealStage))
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    # The registration
    status: Mapped[DealStatus] = mapped_column(_enum(DealStatus), default=DealStatus.draft, index=True)
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    rejection_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    protected_until: Mapped[datetime | None] = mapped_column(index=True)
    closed_at: Mapped[datetime | None]  # marked won or lost (won revenue counts in the program's window from then)
    reminded_days: Mapped[int | None]  # the last expiry reminder sent (14 or 3 days before)
    # The conflict check's answer at submission
    conflict_level: Mapped[Level | None] = mapped_column(_enum(Level))
    conflict_reasons: Mapped[str] = mapped_column(sa.String(200), default="")  # Reason names, comma-separated
    conflict_deal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("deals.id", ondelete="SET NULL"))
    conflict_house_id: Mapped[int | None] = mapped_column(sa.ForeignKey("house_accounts.id", ondelete="SET NULL"))
    # Two-tier distribution: the distributor that follows the deal (named by its reseller, or
    # the one that registered it on the reseller's behalf, whose person is registered_by).
    distributor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    registered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now, index=True)  # list order

    org: Mapped[Organization] = relationship(foreign_keys=[org_id])
    distributor: Mapped[Organization | None] = relationship(foreign_keys=[distributor_id])
    registered_by: Mapped[User | None] = relationship(foreign_keys=[registered_by_id])
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    products: Mapped[list[Product]] = relationship(secondary=deal_products, order_by=Product.name)
    conflict_deal: Mapped["Deal | None"] = relationship(remote_side=[id], foreign_keys=[conflict_deal_id])
    conflict_house: Mapped["HouseAccount | None"] = relationship()
    extensions: Mapped[list["ExtensionRequest"]] = relationship(
        back_populates="deal", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ExtensionRequest.requested_at.desc()",
    )

    def status_at(self, now: datetime) -> DealStatus:
        """The status as of `now`: an approval past its protection date has expired,
        whether or not `cli.py tick` has written that down yet."""
        if self.status is DealStatus.approved and self.protected_until and self.protected_until <= now:
            return DealStatus.expired
        return self.status

    @property
    def followed_by(self) -> Organization | None:
        """The distributor following the deal, while it is still the reseller's distributor."""
        return self.distributor if self.distributor_id is not None and self.distributor_id == self.org.parent_id else None

    @property
    def reasons(self) -> list[Reason]:
        return [Reason[name] for name in self.conflict_reasons.split(",") if name]

    @property
    def pending_extension(self) -> "ExtensionRequest | None":
        return next((request for request in self.extensions if request.decided_at is None), None)


class HouseAccount(MatchKeys, db.Model):
    """A customer the vendor sells to directly: registrations for it conflict."""

    __tablename__ = "house_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    company: Mapped[str] = mapped_column(sa.String(200))
    website: Mapped[str | None] = mapped_column(sa.String(253))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class ExtensionRequest(db.Model):
    __tablename__ = "deal_extension_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(sa.ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(sa.String(1000))
    requested_at: Mapped[datetime] = mapped_column(default=clock.now)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved: Mapped[bool | None]
    new_until: Mapped[datetime | None]

    deal: Mapped[Deal] = relationship(back_populates="extensions")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
