"""Announcements shown in persona rooms."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core import clock
from portal.core.models import Audience, User
from portal.extensions import db
from portal.core.markdown import render_markdown

__all__ = ["Announcement"]


class Announcement(db.Model):
    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)  # Markdown as written
    body_html: Mapped[str] = mapped_column(sa.Text)  # rendered once, on save (see set_body)
    audience_id: Mapped[int] = mapped_column(sa.ForeignKey("audiences.id"), index=True)
    publish_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    expire_at: Mapped[datetime | None]
    pinned: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    audience: Mapped[Audience] = relationship(cascade="all, delete-orphan", single_parent=True)
    created_by: Mapped[User | None] = relationship()

    def set_body(self, markdown_text: str) -> None:
        self.body = markdown_text
        self.body_html = render_markdown(markdown_text)

    def is_live(self, at: datetime) -> bool:
        return self.publish_at <= at and (self.expire_at is None or self.expire_at > at)

    @property
    def status(self) -> str:
        at = clock.now()
        if self.publish_at > at:
            return "scheduled"
        return "live" if self.is_live(at) else "expired"
