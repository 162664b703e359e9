"""The asset library: assets, their file versions, and every download."""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core import clock
from portal.core.models import Audience, Organization, Product, User, _enum
from portal.extensions import db

__all__ = ["Asset", "AssetType", "AssetVersion", "Download", "LANGUAGES"]

LANGUAGES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
             "nl": "Dutch", "pt": "Portuguese", "ja": "Japanese"}


class AssetType(enum.Enum):
    datasheet = "datasheet"
    brochure = "brochure"
    battlecard = "battlecard"
    case_study = "case_study"
    presentation = "presentation"
    price_list = "price_list"
    video = "video"
    logo_pack = "logo_pack"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Asset(db.Model):
    __tablename__ = "assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(1000), default="")
    asset_type: Mapped[AssetType] = mapped_column(_enum(AssetType), index=True)
    product_id: Mapped[int | None] = mapped_column(sa.ForeignKey("products.id"), index=True)
    tags: Mapped[str] = mapped_column(sa.String(300), default="")  # comma-separated, as typed
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    audience_id: Mapped[int] = mapped_column(sa.ForeignKey("audiences.id"), index=True)
    publish_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    expire_at: Mapped[datetime | None] = mapped_column(index=True)
    external_url: Mapped[str | None] = mapped_column(sa.String(500))  # videos: no file, a link
    version: Mapped[int] = mapped_column(default=0)  # number of the current file version; 0 = none
    download_count: Mapped[int] = mapped_column(default=0, index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now, index=True)

    audience: Mapped[Audience] = relationship(cascade="all, delete-orphan", single_parent=True)
    product: Mapped[Product | None] = relationship()
    versions: Mapped[list["AssetVersion"]] = relationship(
        back_populates="asset", cascade="all, delete-orphan", order_by="AssetVersion.number.desc()",
        passive_deletes=True,
    )
    current: Mapped["AssetVersion | None"] = relationship(
        primaryjoin="and_(AssetVersion.asset_id == Asset.id, AssetVersion.number == Asset.version)",
        viewonly=True, uselist=False,
    )

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]

    @property
    def language_label(self) -> str:
        return LANGUAGES.get(self.language, self.language)

    def status(self, at: datetime) -> str:
        if self.publish_at > at:
            return "scheduled"
        return "expired" if self.expire_at is not None and self.expire_at <= at else "live"


class AssetVersion(db.Model):
    __tablename__ = "asset_versions"
    __table_args__ = (sa.UniqueConstraint("asset_id", "number", name="uq_asset_versions_asset_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(sa.ForeignKey("assets.id", ondelete="CASCADE"))
    number: Mapped[int]
    filename: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(20))  # portal.assets.files.FileKind value
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    preview_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    text: Mapped[str] = mapped_column(sa.Text, default="")  # extracted, for search
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    asset: Mapped[Asset] = relationship(back_populates="versions")


class Download(db.Model):
    __tablename__ = "downloads"
    __table_args__ = (
        sa.Index("ix_downloads_asset_org", "asset_id", "org_id"),
        sa.Index("ix_downloads_user_asset", "user_id", "asset_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(sa.ForeignKey("assets.id", ondelete="CASCADE"))
    version_number: Mapped[int]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=clock.now, index=True)

    asset: Mapped[Asset] = relationship()
    user: Mapped[User] = relationship()
    org: Mapped[Organization] = relationship()
