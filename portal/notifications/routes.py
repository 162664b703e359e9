"""The user's notifications: a page, a badge the nav loads after the page, mark all read."""
from flask import Blueprint, redirect, request, url_for
from flask_login import current_user

from portal.extensions import db
from portal.notifications import services
from portal.web.htmx import render
from portal.web.pagination import paginate

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
def index():
    page = paginate(services.for_user(current_user), request.args.get("page", 1, type=int))
    return render("notifications/list.html", "items", page=page, unread=services.unread_count(current_user))


@bp.get("/notifications/badge")
def badge():
    """Loaded by the nav after the page, so pages themselves run no extra query."""
    return render("notifications/badge.html", "badge", unread=services.unread_count(current_user))


@bp.post("/notifications/read")
def mark_read():
    services.mark_all_read(current_user)
    db.session.commit()
    return redirect(url_for("notifications.index"), 303)
