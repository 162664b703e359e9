"""In-app notifications: what happened to a user's things, with a link to look."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core import clock
from portal.extensions import db

__all__ = ["Notification"]


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(sa.String(300))
    link: Mapped[str | None] = mapped_column(sa.String(300))  # a path inside the portal
    created_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    read_at: Mapped[datetime | None]
