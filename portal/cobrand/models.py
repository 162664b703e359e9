"""Co-branding: each partner org's brand kit (logo, contact block, accent colour), the
vendor's templates and their versions, and the co-branded PDFs made from them."""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core import clock
from portal.core.models import Audience, Organization, User, _enum
from portal.extensions import db

__all__ = ["BrandKit", "CobrandActivity", "CobrandTemplate", "CobrandedPdf", "PageSize", "TemplateVersion",
           "ActivityKind"]


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


class PageSize(enum.Enum):
    A4 = "A4"
    letter = "letter"

    @property
    def label(self) -> str:
        return "A4" if self is PageSize.A4 else "US Letter"


class CobrandTemplate(db.Model):
    """A vendor design partners co-brand. Its content lives in versions: a new version
    never changes a PDF made from an older one."""

    __tablename__ = "cobrand_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.String(1000), default="")
    audience_id: Mapped[int] = mapped_column(sa.ForeignKey("audiences.id"), index=True)
    version: Mapped[int] = mapped_column(default=0)  # number of the current version
    # A new template is a draft until a vendor admin publishes it; partners never see drafts.
    is_live: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    audience: Mapped[Audience] = relationship(cascade="all, delete-orphan", single_parent=True)
    versions: Mapped[list["TemplateVersion"]] = relationship(
        back_populates="template", order_by="TemplateVersion.number.desc()", passive_deletes=True)
    current: Mapped["TemplateVersion | None"] = relationship(
        primaryjoin="and_(TemplateVersion.template_id == CobrandTemplate.id, "
                    "TemplateVersion.number == CobrandTemplate.version)",
        viewonly=True, uselist=False,
    )


class TemplateVersion(db.Model):
    """One immutable design: the vendor's HTML with {{ slot }} placeholders, its CSS, the
    page size, the slots' length limits, and what rendering it with the sample kit gave."""

    __tablename__ = "cobrand_template_versions"
    __table_args__ = (sa.UniqueConstraint("template_id", "number", name="uq_cobrand_template_versions_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("cobrand_templates.id", ondelete="CASCADE"))
    number: Mapped[int]
    html: Mapped[str] = mapped_column(sa.Text)
    css: Mapped[str] = mapped_column(sa.Text, default="")
    page_size: Mapped[PageSize] = mapped_column(_enum(PageSize))
    # {"partner_name": 40, "tagline": 80, "custom_message": 280, "offer": 100}: characters
    slot_limits: Mapped[dict] = mapped_column(sa.JSON)
    content_sha256: Mapped[str] = mapped_column(sa.String(64))  # of html, css, size and limits
    pages: Mapped[int]  # with the sample kit
    thumbnail_sha256: Mapped[str | None] = mapped_column(sa.String(64))  # PNG of page 1, in the BlobStore
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    template: Mapped[CobrandTemplate] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()


class CobrandedPdf(db.Model):
    """A rendered PDF, kept as a blob and found again by its cache key: the hash of
    everything that went into it (template version, slot values, brand kit, files)."""

    __tablename__ = "cobranded_pdfs"

    id: Mapped[int] = mapped_column(primary_key=True)
    cache_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("cobrand_templates.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("cobrand_template_versions.id", ondelete="CASCADE"))
    custom_message: Mapped[str] = mapped_column(sa.String(1000), default="")
    offer: Mapped[str] = mapped_column(sa.String(500), default="")
    sha256: Mapped[str] = mapped_column(sa.String(64))  # the PDF, in the BlobStore
    size: Mapped[int]
    pages: Mapped[int]
    render_ms: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    org: Mapped[Organization] = relationship()
    template: Mapped[CobrandTemplate] = relationship()
    version: Mapped[TemplateVersion] = relationship()


class ActivityKind(enum.Enum):
    rendered = "rendered"    # a PDF was made
    reused = "reused"        # a PDF was asked for again and came from the cache
    downloaded = "downloaded"

    @property
    def label(self) -> str:
        return {"rendered": "Made", "reused": "Made again (cached)", "downloaded": "Downloaded"}[self.value]


class CobrandActivity(db.Model):
    """Every generation and download of a co-branded PDF: who, which org, which template
    and version. The vendor's "who co-brands what" comes from here."""

    __tablename__ = "cobrand_activity"
    __table_args__ = (sa.Index("ix_cobrand_activity_template_org", "template_id", "org_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ActivityKind] = mapped_column(_enum(ActivityKind))
    pdf_id: Mapped[int] = mapped_column(sa.ForeignKey("cobranded_pdfs.id", ondelete="CASCADE"), index=True)
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("cobrand_templates.id", ondelete="CASCADE"))
    version_number: Mapped[int]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=clock.now, index=True)

    user: Mapped[User] = relationship()
    org: Mapped[Organization] = relationship()
