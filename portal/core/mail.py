"""Email goes through an outbox table: written in the request's transaction, delivered
by `python cli.py send-mail` when SMTP is configured, logged either way."""
import logging
import smtplib
from email.message import EmailMessage

import sqlalchemy as sa

from portal.core import clock
from portal.core.models import OutboxEmail
from portal.extensions import db

log = logging.getLogger(__name__)


def send(to: str, subject: str, body: str) -> None:
    db.session.add(OutboxEmail(to=to, subject=subject, body=body))
    log.info("outbox: to=%s subject=%s\n%s", to, subject, body)


def deliver_pending(host: str, port: int, sender: str) -> int:
    """Send every undelivered email over SMTP; returns how many went out."""
    pending = db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.sent_at.is_(None))).all()
    if not pending:
        return 0
    with smtplib.SMTP(host, port) as smtp:
        for email in pending:
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = sender, email.to, email.subject
            message.set_content(email.body)
            smtp.send_message(message)
            email.sent_at = clock.now()
            db.session.commit()
    return len(pending)
