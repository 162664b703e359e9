"""Co-branding: each partner org's brand kit (logo, contact block, accent colour)."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core import clock
from portal.core.models import Organization, User
from portal.extensions import db

__all__ = ["BrandKit"]


class BrandKit(db.Model):
    """What a partner org puts on co-branded material. One per org; a partner org without
    a row simply has an empty kit (see services.kit_for). Text fields are "" when unset."""

    __tablename__ = "brand_kits"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(200), default="")
    website: Mapped[str] = mapped_column(sa.String(253), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    address: Mapped[str] = mapped_column(sa.String(400), default="")  # several lines, "\n"-separated
    tagline: Mapped[str] = mapped_column(sa.String(80), default="")
    accent_color: Mapped[str | None] = mapped_column(sa.String(7))  # "#RRGGBB", upper case
    # The logo as re-encoded by portal.cobrand.logos, in the asset BlobStore.
    logo_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    logo_kind: Mapped[str | None] = mapped_column(sa.String(10))  # portal.assets.files.FileKind value
    logo_width: Mapped[int | None]
    logo_height: Mapped[int | None]
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    org: Mapped[Organization] = relationship()
    updated_by: Mapped[User | None] = relationship()

    @property
    def has_logo(self) -> bool:
        return self.logo_sha256 is not None

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in (self.address or "").splitlines() if line.strip()]

    @property
    def website_label(self) -> str:
        """The website as printed: without the scheme and a trailing slash."""
        label = (self.website or "").split("://", 1)[-1]
        return label[:-1] if label.endswith("/") and label.count("/") == 1 else label

    @property
    def is_empty(self) -> bool:
        """Nothing filled in yet: no logo, no contact details, no tagline or colour, and
        the display name is still the org's own name (its default)."""
        filled = (self.logo_sha256, self.website, self.email, self.phone, self.address.strip() if self.address else "",
                  self.tagline, self.accent_color)
        renamed = bool(self.display_name) and self.org is not None and self.display_name != self.org.name
        return not any(filled) and not renamed
