"""The user's notifications: a page, a badge the nav loads after the page, mark all read."""
from flask import Blueprint, redirect, request, url_for
from flask_login import current_user

from portal.core.access import signed_in
from portal.notifications import services
from portal.web.actions import domain_action
from portal.web.htmx import render
from portal.web.pagination import paginate

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@signed_in
def index():
    page = paginate(services.for_user(current_user), request.args.get("page", 1, type=int))
    return render("notifications/list.html", "items", page=page, unread=services.unread_count(current_user))


@bp.get("/notifications/badge")
@signed_in
def badge():
    """Loaded by the nav after the page, so pages themselves run no extra query."""
    return render("notifications/badge.html", "badge", unread=services.unread_count(current_user))


@bp.post("/notifications/read")
@signed_in
def mark_read():
    with domain_action():
        services.mark_all_read(current_user)
    return redirect(url_for("notifications.index"), 303)
