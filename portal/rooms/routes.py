"""Persona rooms (/rooms/<persona>) and the vendor's announcement pages."""
import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user

from portal.core import clock
from portal.core.access import get_or_404, signed_in, vendor_admin_required
from portal.core.models import Audience, Persona
from portal.rooms import services
from portal.rooms.forms import AnnouncementForm
from portal.rooms.models import Announcement
from portal.web.actions import domain_action
from portal.web.params import persona_or_404
from portal.web.htmx import is_partial, render
from portal.web.pagination import feed, paginate

bp = Blueprint("rooms", __name__)
ROOM_FEED_SIZE = 10

ROOM_INTROS = {
    Persona.sales: "Register and track deals, and keep the battlecards close.",
    Persona.presales: "Technical content, demos and the certifications your customers ask for.",
    Persona.marketing: "Campaigns, co-branded collateral and brand assets.",
    Persona.post_sales: "Onboarding, renewals and everything that keeps customers happy.",
}


@bp.get("/rooms/<persona>")
@signed_in
def room(persona: str):
    persona = persona_or_404(persona)
    page = feed(services.live_announcements(current_user, persona), request.args.get("page", 1, type=int),
                ROOM_FEED_SIZE)
    if page.page > 1 and is_partial():  # "Show more": just the next items
        return render("rooms/room.html", "announcement_items", persona=persona, page=page)
    return render("rooms/room.html", persona=persona, intro=ROOM_INTROS[persona], page=page)


# --- vendor: announcements ----------------------------------------------------------------


@bp.get("/announcements")
@vendor_admin_required
def announcements():
    page = paginate(services.all_announcements().options(selectinload(Announcement.audience).selectinload(Audience.orgs)),
                    request.args.get("page", 1, type=int))
    return render("rooms/announcements.html", "rows", page=page)


def _form(announcement: Announcement | None = None) -> AnnouncementForm:
    form = AnnouncementForm(obj=announcement)
    form.audience.set_org_choices(current_user)
    if announcement and not form.is_submitted():
        form.audience.fill_from(announcement.audience)
    if announcement is None and not form.is_submitted():
        form.publish_at.data = clock.now().replace(second=0, microsecond=0)
    return form


@bp.route("/announcements/new", methods=["GET", "POST"])
@vendor_admin_required
def new_announcement():
    return _edit(None)


@bp.route("/announcements/<int:announcement_id>/edit", methods=["GET", "POST"])
@vendor_admin_required
def edit_announcement(announcement_id: int):
    return _edit(get_or_404(sa.select(Announcement), Announcement, announcement_id))


def _edit(announcement: Announcement | None):
    form = _form(announcement)
    if form.validate_on_submit():
        with domain_action():
            services.save_announcement(current_user, announcement, form.to_input())
        flash("Announcement saved.")
        return redirect(url_for("rooms.announcements"), 303)
    return render("rooms/announcement_form.html", form=form, announcement=announcement,
                  status=422 if form.errors else 200)


@bp.post("/announcements/<int:announcement_id>/delete")
@vendor_admin_required
def delete_announcement(announcement_id: int):
    announcement = get_or_404(sa.select(Announcement), Announcement, announcement_id)
    with domain_action():
        services.delete_announcement(current_user, announcement)
    flash("Announcement deleted.")
    return redirect(url_for("rooms.announcements"), 303)
