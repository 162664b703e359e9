"""Vendor console: the partner list, partner detail, onboarding and status (tiers change in the program)."""
from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user

from portal.core.access import get_or_404, partners_visible_to, vendor_admin_required, vendor_required
from portal.core.audit import events
from portal.core.forms import choices
from portal.core.models import Organization, OrgStatus, PartnerType, Region
from portal.core.tiers import all_tiers
from portal.deals import services as deals
from portal.extensions import db
from portal.onboarding import checklist
from portal.partners import services
from portal.partners.forms import PartnerForm, StatusForm
from portal.web.actions import domain_action
from portal.web.params import enum_arg, tier_arg
from portal.web.htmx import fragment_or_redirect, render
from portal.web.pagination import paginate

bp = Blueprint("partners", __name__, url_prefix="/partners")


@bp.get("/")
@vendor_required
def index():
    filters = services.PartnerFilters(
        q=request.args.get("q", "").strip()[:100],
        tier=tier_arg(),
        partner_type=enum_arg(PartnerType, "type"),
        region=enum_arg(Region, "region"),
        status=enum_arg(OrgStatus, "status"),
    )
    page = paginate(services.search_partners(current_user, filters), request.args.get("page", 1, type=int))
    return render("partners/index.html", "results", page=page, filters=filters,
                  tiers=all_tiers(), types=list(PartnerType), regions=list(Region), statuses=list(OrgStatus))


def _partner(partner_id: int) -> Organization:
    return get_or_404(partners_visible_to(current_user), Organization, partner_id)


@bp.get("/<int:partner_id>")
@vendor_required
def detail(partner_id: int):
    return _render_detail(_partner(partner_id))


def _render_detail(org, status_form=None, status=200):
    people = db.session.scalars(services.partner_people(org)).all()
    history = db.session.scalars(events(org_id=org.id).limit(10)).all()
    return render(
        "partners/detail.html", "settings", org=org, people=people, history=history,
        deal_customers=deals.customers_named_in(history),
        resellers=services.tier_two_resellers(org), status=status,
        status_form=status_form or StatusForm(status=org.status.value), onboarding=checklist.progress_of(org),
    )


@bp.route("/new", methods=["GET", "POST"])
@vendor_admin_required
def new():
    form = PartnerForm()
    form.parent_id.choices = choices(
        [("", "— none (buys direct) —")] + [(d.id, d.name) for d in services.distributors(current_user)]
    )
    if form.validate_on_submit():
        data = form.to_input()
        with domain_action(form) as outcome:
            org = services.create_partner(current_user, data)
        if outcome.ok:
            flash(f"{org.name} created; {data.admin_email} has an invitation.")
            return redirect(url_for("partners.detail", partner_id=org.id), 303)
    return render("partners/new.html", form=form, status=422 if form.errors else 200)


@bp.post("/<int:partner_id>/status")
@vendor_admin_required
def change_status(partner_id: int):
    org = _partner(partner_id)
    form = StatusForm()
    if not form.validate_on_submit():
        return _render_detail(org, status_form=form, status=422)
    with domain_action():
        services.change_status(current_user, org, form.to_input())
    flash(f"{org.name} is now {org.status.value}.")
    return _changed(org)


def _changed(org: Organization):
    url = url_for("partners.detail", partner_id=org.id)
    return fragment_or_redirect(url, lambda: _render_detail(org))
