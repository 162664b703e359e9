"""Deal registration: the rep's form with live conflict answers, deal pages and workflow
actions, the channel team's review queue, house accounts, CSV export, the sales room widget."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from portal.agreements.gate import agreement_required
from portal.assets.services import products
from portal.core import clock
from portal.core.access import (
    get_or_404, partner_required, partners_visible_to, signed_in, vendor_admin_required, vendor_required,
)
from portal.core.database import reads_only
from portal.core.geography import COUNTRY_NAMES
from portal.core.models import Organization, Persona, Region
from portal.core.tiers import all_tiers
from portal.deals import matching, services
from portal.deals.forms import (
    BulkDecisionForm, DealForm, ExtensionDecisionForm, ExtensionRequestForm, HouseAccountForm, OutcomeForm,
    RejectForm,
)
from portal.deals.models import Deal, DealStatus, HouseAccount
from portal.deals.services import DealFilters
from portal.extensions import db
from portal.web.actions import domain_action
from portal.web.csv_export import csv_download, safe_cell
from portal.web.htmx import is_partial, render
from portal.web.pagination import paginate
from portal.web.params import bounded_id, enum_arg, persona_or_404, tier_arg

bp = Blueprint("deals", __name__)
CSV_COLUMNS = ("id", "customer", "website", "contact", "email", "phone", "country", "products", "amount",
               "currency", "close_date", "stage", "status", "protected_until", "partner", "owner", "submitted_at")


def _page() -> int:
    return request.args.get("page", 1, type=int)


def _filters() -> DealFilters:
    vendor = current_user.is_vendor
    return DealFilters(
        status=enum_arg(DealStatus, "status"),
        text=request.args.get("q", "").strip()[:100],
        org_id=request.args.get("partner", type=bounded_id) if vendor else None,
        region=enum_arg(Region, "region") if vendor else None,
        tier=tier_arg() if vendor else None,
    )


def _vendor_filter_choices() -> dict:
    if not current_user.is_vendor:
        return {}
    partners = db.session.execute(partners_visible_to(current_user).with_only_columns(Organization.id, Organization.name)
                                  .order_by(Organization.name)).all()  # rows, not objects: there may be hundreds
    return {"partners": partners, "regions": list(Region), "tiers": all_tiers()}


# --- lists -------------------------------------------------------------------------------


@bp.get("/deals")
@signed_in
def index():
    filters = _filters()
    page = paginate(services.deal_list(current_user, filters), _page())
    return render("deals/list.html", "rows", page=page, filters=filters, statuses=list(DealStatus),
                  **_vendor_filter_choices())


@bp.get("/deals.csv")
@signed_in
def export():
    """Every deal the user may see that passes the list's filters, as CSV."""
    deals = db.session.scalars(services.deal_list(current_user, _filters()).options(selectinload(Deal.products))).all()
    now = clock.now()
    rows = ([
        deal.id, safe_cell(deal.customer_company), safe_cell(deal.customer_website), safe_cell(deal.contact_name),
        safe_cell(deal.contact_email), safe_cell(deal.contact_phone), deal.country,
        "; ".join(p.name for p in deal.products), deal.amount, deal.currency, deal.close_date.isoformat(),
        deal.stage.value, deal.status_at(now).value,
        deal.protected_until.date().isoformat() if deal.protected_until else "", safe_cell(deal.org.name),
        safe_cell(deal.owner.name), deal.submitted_at.isoformat(timespec="minutes") if deal.submitted_at else "",
    ] for deal in deals)
    return csv_download(f"deals-{now.strftime('%Y%m%d')}.csv", CSV_COLUMNS, rows)


# --- registering -------------------------------------------------------------------------


def _deal_form(deal: Deal | None = None) -> DealForm:
    form = DealForm(obj=deal)
    form.set_product_choices(products())
    form.offer_distributor(services.distributor_of(current_user.org))
    if deal and not form.is_submitted():
        form.name_distributor.data = deal.distributor_id is not None
        form.product_ids.data = [p.id for p in deal.products]
        form.stage.data = deal.stage.value
    return form


def _form_page(form: DealForm, deal: Deal | None, status: int = 200):
    assessment = _assess(form) if form.is_submitted() else None
    return render("deals/form.html", form=form, deal=deal, status=status, assessment=assessment,
                  own=_own_holding(assessment))


@bp.route("/deals/new", methods=["GET", "POST"])
@partner_required
@agreement_required("deals")
def new():
    form = _deal_form()
    if form.validate_on_submit():
        submit_now = request.form.get("action") == "submit"
        with domain_action() as outcome:
            deal = services.create_deal(current_user, form.to_input(), submit_now)
        if outcome.ok:
            flash("Deal submitted for review." if submit_now else "Draft saved. Submit it when you are ready.")
            return redirect(url_for("deals.detail", deal_id=deal.id), 303)
    return _form_page(form, None, 200 if request.method == "GET" else 422)


@bp.route("/deals/<int:deal_id>/edit", methods=["GET", "POST"])
@partner_required
@agreement_required("deals")
def edit(deal_id: int):
    deal = _own_draft(deal_id)
    form = _deal_form(deal)
    if form.validate_on_submit():
        submit_now = request.form.get("action") == "submit"
        with domain_action() as outcome:
            services.update_draft(current_user, deal, form.to_input(), submit_now)
        if outcome.ok:
            flash("Deal submitted for review." if submit_now else "Draft saved.")
            return redirect(url_for("deals.detail", deal_id=deal.id), 303)
    return _form_page(form, deal, 200 if request.method == "GET" else 422)


def _own_draft(deal_id: int) -> Deal:
    deal = services.get_deal(current_user, deal_id)
    if deal.status is not DealStatus.draft:
        abort(404)
    return deal


@bp.post("/deals/validate/<name>")
@signed_in
@reads_only
def validate(name: str):
    """Inline validation: the one field, re-rendered with its message, as the user leaves it."""
    form = _deal_form()
    if name not in form._fields or name == "csrf_token":
        abort(404)
    form.validate()
    if not is_partial():  # without htmx (nothing of ours posts here so): the whole form, checked
        return _form_page(form, None)
    return render("deals/form.html", "one_field", form=form, field_name=name)


@bp.post("/deals/check")
@signed_in
@reads_only
def check():
    """The live conflict answer while the rep types the customer's details."""
    form = _deal_form()
    if not is_partial():  # without htmx: the whole form as typed, with the answer
        return _form_page(form, None)
    assessment = _assess(form)
    return render("deals/form.html", "conflict", assessment=assessment, own=_own_holding(assessment))


def _assess(form: DealForm) -> matching.Assessment | None:
    company = form.customer_company.data or ""  # a probe may send only an email or a website
    if not company and not form.customer_website.data and not form.contact_email.data:
        return None
    customer = matching.Customer(company, form.customer_website.data, form.contact_email.data, form.contact_phone.data)
    return services.check(customer, frozenset(form.product_ids.data or ()))  # a draft being edited claims nothing


def _own_holding(assessment: matching.Assessment | None) -> services.OwnHolding | None:
    return services.own_holding(current_user, assessment) if assessment else None


# --- one deal ----------------------------------------------------------------------------


@bp.get("/deals/<int:deal_id>")
@signed_in
def detail(deal_id: int):
    return _detail(services.get_deal(current_user, deal_id))


def _detail(deal: Deal, status: int = 200, reject_form=None, extension_form=None, decision_form=None):
    return render(
        "deals/detail.html", deal=deal, timeline=services.timeline(deal), next_deal=_next_in_queue(deal),
        country=COUNTRY_NAMES.get(deal.country, deal.country), status=status,
        reject_form=reject_form or RejectForm(), extension_form=extension_form or ExtensionRequestForm(),
        decision_form=decision_form or ExtensionDecisionForm(), overdue=services.sla_overdue(deal, clock.now()),
    )


def _next_in_queue(deal: Deal) -> Deal | None:
    """For the channel team, once a deal is decided: the oldest deal still waiting."""
    if not current_user.is_vendor or deal.status is DealStatus.submitted:
        return None
    return db.session.scalars(services.review_queue(current_user, DealFilters()).limit(1)).first()


def _act(deal: Deal, action, done: str):
    """Run a workflow action: commit and go back to the deal, or show why it cannot be done."""
    with domain_action() as outcome:
        action()
    if outcome.ok:
        flash(done)
    return redirect(url_for("deals.detail", deal_id=deal.id), 303)


@bp.post("/deals/<int:deal_id>/submit")
@partner_required
@agreement_required("deals")
def submit(deal_id: int):
    deal = services.get_deal(current_user, deal_id)
    return _act(deal, lambda: services.submit(current_user, deal), "Deal submitted for review.")


@bp.post("/deals/<int:deal_id>/delete")
@partner_required
def delete(deal_id: int):
    deal = _own_draft(deal_id)
    with domain_action() as outcome:
        services.delete_draft(current_user, deal)
    if not outcome.ok:
        return redirect(url_for("deals.detail", deal_id=deal_id), 303)
    flash(f"The draft for {deal.customer_company} is deleted.")
    return redirect(url_for("deals.index"), 303)


@bp.post("/deals/<int:deal_id>/outcome")
@partner_required
def outcome(deal_id: int):
    deal = services.get_deal(current_user, deal_id)
    won = OutcomeForm().to_input()
    return _act(deal, lambda: services.close(current_user, deal, won), "Marked won. Congratulations!" if won
                else "Marked lost.")


@bp.post("/deals/<int:deal_id>/extension")
@partner_required
def request_extension(deal_id: int):
    deal = services.get_deal(current_user, deal_id)
    form = ExtensionRequestForm()
    if not form.validate_on_submit():
        return _detail(deal, 422, extension_form=form)
    return _act(deal, lambda: services.request_extension(current_user, deal, form.to_input()),
                "Extension requested. The channel team will decide.")


@bp.post("/deals/<int:deal_id>/approve")
@vendor_required
def approve(deal_id: int):
    deal = services.get_deal(current_user, deal_id)
    return _act(deal, lambda: services.approve(current_user, deal), "Deal approved.")


@bp.post("/deals/<int:deal_id>/reject")
@vendor_required
def reject(deal_id: int):
    deal = services.get_deal(current_user, deal_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _detail(deal, 422, reject_form=form)
    return _act(deal, lambda: services.reject(current_user, deal, form.to_input()), "Deal rejected.")


@bp.post("/deals/<int:deal_id>/extension/decide")
@vendor_required
def decide_extension(deal_id: int):
    deal = services.get_deal(current_user, deal_id)
    form = ExtensionDecisionForm()
    if not form.validate_on_submit():
        return _detail(deal, 422, decision_form=form)
    decision = form.to_input()
    return _act(deal, lambda: services.decide_extension(current_user, deal, decision.approved, decision.new_until),
                "Extension approved." if decision.approved else "Extension declined.")


@bp.get("/deals/<int:deal_id>/conflict")
@vendor_required
def conflict(deal_id: int):
    """The vendor's side-by-side view of a deal and the registration it conflicts with."""
    deal = services.get_deal(current_user, deal_id)
    if deal.conflict_deal is None and deal.conflict_house is None:
        abort(404)
    return render("deals/conflict.html", deal=deal, other=deal.conflict_deal, house=deal.conflict_house,
                  countries=COUNTRY_NAMES)


# --- the channel team's review queue -----------------------------------------------------


@bp.route("/deals/review", methods=["GET", "POST"])
@vendor_required
def review():
    if request.method == "POST":
        return _decide_selected()
    filters = _filters()
    page = paginate(services.review_queue(current_user, filters), _page())
    return render("deals/review.html", "queue", page=page, filters=filters, sla_overdue=services.sla_overdue, **_vendor_filter_choices())


def _decide_selected():
    form = BulkDecisionForm()
    if not form.validate():
        for message in form.deal_id.errors or form.reason.errors:
            flash(message, "error")
    else:
        decision = form.to_input()
        with domain_action():
            done, problems = services.decide_many(current_user, decision.deal_ids, decision.approved, decision.reason)
            flash(f"{done} deal{'s' if done != 1 else ''} {'approved' if decision.approved else 'rejected'}.")
            for problem in problems:
                flash(problem, "error")
    return redirect(url_for("deals.review", **request.args), 303)


# --- house accounts ----------------------------------------------------------------------


@bp.route("/deals/house-accounts", methods=["GET", "POST"])
@vendor_admin_required
def house_accounts():
    form = HouseAccountForm()
    if form.validate_on_submit():
        account = form.to_input()
        with domain_action() as outcome:
            services.add_house_account(current_user, account.company, account.website)
        if outcome.ok:
            flash(f"{account.company} is now a house account.")
            return redirect(url_for("deals.house_accounts"), 303)
    page = paginate(services.house_accounts(), _page())
    error = next((message for messages in form.errors.values() for message in messages), None)
    return render("deals/house_accounts.html", page=page, error=error, form=form, status=422 if error else 200)


@bp.post("/deals/house-accounts/<int:account_id>/delete")
@vendor_admin_required
def delete_house_account(account_id: int):
    account = get_or_404(services.house_accounts(), HouseAccount, account_id)
    with domain_action() as outcome:
        services.remove_house_account(current_user, account)
    if outcome.ok:
        flash(f"{account.company} is no longer a house account.")
    return redirect(url_for("deals.house_accounts"), 303)


# --- the sales room widget ---------------------------------------------------------------


@bp.get("/rooms/<persona>/deals")
@partner_required
def room_widget(persona: str):
    persona = persona_or_404(persona)
    if persona is not Persona.sales:
        abort(404)
    return render("deals/room_widget.html", "widget", open_deals=services.open_deals(current_user),
                  expiring=services.expiring_soon(current_user))
