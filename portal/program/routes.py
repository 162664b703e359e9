"""The program's definition for the vendor (tiers, their benefits and criteria, the settings
and exchange rates) and the tier badges' stylesheet for everyone signed in."""
import hashlib

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, request, url_for
from flask_login import current_user

from portal.core.access import get_or_404, signed_in, vendor_admin_required, vendor_required
from portal.core.models import Role, Tier
from portal.core.tiers import all_tiers
from portal import jobs
from portal.extensions import db
from portal.program import bp, services
from portal.program.forms import BenefitForm, CriterionForm, RateForm, SettingsForm, TierForm, tier_benefits_form
from portal.program.models import Benefit, Criterion, ExchangeRate
from portal.program.standing_routes import EVALUATE_JOB
from portal.training import editor
from portal.web.actions import domain_action
from portal.web.htmx import render


def _tier(tier_id: int) -> Tier:
    # Tiers and benefits are the vendor's program, not any org's rows: no tenancy to scope.
    return get_or_404(sa.select(Tier), Tier, tier_id)


@bp.get("/tiers")
@vendor_required
def tiers():
    return _program_page(BenefitForm())


def _program_page(benefit_form: BenefitForm, status: int = 200):
    return render("program/tiers.html", rows=services.tiers_with_holders(), catalogue=services.benefits(),
                  grid=services.benefit_grid(), benefit_form=benefit_form, admin=current_user.role is Role.admin,
                  status=status)


@bp.route("/tiers/new", methods=["GET", "POST"])
@vendor_admin_required
def new_tier():
    form = TierForm()
    if request.method == "GET":
        form.rank.data = max((tier.rank for tier in all_tiers()), default=0) + 1
    if form.validate_on_submit():
        with domain_action(form, "name") as outcome:
            tier = services.create_tier(current_user, form.to_input())
        if outcome.ok:
            flash(f"Tier {tier.name} created. Give it its benefits below.")
            return redirect(url_for("program.edit_tier", tier_id=tier.id), 303)
    return render("program/tier_new.html", form=form, status=422 if form.errors else 200)


@bp.get("/tiers/<int:tier_id>")
@vendor_admin_required
def edit_tier(tier_id: int):
    tier = _tier(tier_id)
    return _tier_page(tier, TierForm(obj=tier), _benefits_form(tier))


def _benefits_form(tier: Tier, formdata=None):
    values = {benefit_id: row.shown_value for benefit_id, row in services.tier_benefits(tier).items()}
    return tier_benefits_form(services.benefits(), values, formdata)


def _tier_page(tier: Tier, form: TierForm, benefits_form, status: int = 200, criterion_form=None):
    holders = next(row.holders for row in services.tiers_with_holders() if row.tier is tier)
    return render("program/tier_edit.html", tier=tier, form=form, benefits_form=benefits_form, holders=holders,
                  criteria=services.criteria_by_tier().get(tier.id, []),
                  criterion_form=criterion_form or _criterion_form(), currency=services.settings().currency,
                  status=status)


@bp.post("/tiers/<int:tier_id>")
@vendor_admin_required
def update_tier(tier_id: int):
    tier = _tier(tier_id)
    form = TierForm()
    if form.validate_on_submit():
        with domain_action(form, "name") as outcome:
            services.update_tier(current_user, tier, form.to_input())
        if outcome.ok:
            flash(f"Tier {tier.name} saved.")
            return redirect(url_for("program.tiers"), 303)
    return _tier_page(tier, form, _benefits_form(tier), 422)


@bp.post("/tiers/<int:tier_id>/benefits")
@vendor_admin_required
def update_tier_benefits(tier_id: int):
    tier = _tier(tier_id)
    form = _benefits_form(tier, request.form)
    if form.validate_on_submit():
        with domain_action(form) as outcome:
            services.set_tier_benefits(current_user, tier, form.to_input())
        if outcome.ok:
            flash(f"{tier.name}'s benefits saved.")
            return redirect(url_for("program.tiers"), 303)
    return _tier_page(tier, TierForm(obj=tier), form, 422)


@bp.post("/tiers/<int:tier_id>/delete")
@vendor_admin_required
def delete_tier(tier_id: int):
    tier = _tier(tier_id)
    name = tier.name
    with domain_action() as outcome:
        services.delete_tier(current_user, tier)
    if outcome.ok:
        flash(f"Tier {name} deleted.")
        return redirect(url_for("program.tiers"), 303)
    return redirect(url_for("program.edit_tier", tier_id=tier_id), 303)


@bp.post("/benefits")
@vendor_admin_required
def add_benefit():
    form = BenefitForm()
    if form.validate_on_submit():
        with domain_action(form, "name") as outcome:
            benefit = services.create_benefit(current_user, form.to_input())
        if outcome.ok:
            flash(f"{benefit.name} added to the catalogue; give each tier its value.")
            return redirect(url_for("program.tiers") + "#catalogue", 303)
    return _program_page(form, 422)


@bp.post("/benefits/<int:benefit_id>/delete")
@vendor_admin_required
def delete_benefit(benefit_id: int):
    benefit = get_or_404(sa.select(Benefit), Benefit, benefit_id)
    with domain_action():
        services.delete_benefit(current_user, benefit)
    flash(f"{benefit.name} removed from the catalogue and from every tier.")
    return redirect(url_for("program.tiers") + "#catalogue", 303)


@bp.get("/tiers.css")
@signed_in
def tier_styles():
    """Each tier's colour for its badges (class tier-<key>): the colours are the vendor's data.
    The layout links it with ?v=tier_styles_version(), so a browser keeps it until a colour changes."""
    css = "".join(f".tier-{tier.key} {{ --tier-colour: {tier.colour}; }}\n" for tier in all_tiers())
    response = Response(css, mimetype="text/css")
    response.set_etag(hashlib.sha256(css.encode()).hexdigest())
    response.cache_control.private = True
    response.cache_control.max_age = 31536000 if request.args.get("v") else 0
    return response.make_conditional(request)



# --- criteria -----------------------------------------------------------------------------------


def _criterion_form(formdata=None) -> CriterionForm:
    form = CriterionForm(formdata=formdata) if formdata is not None else CriterionForm()
    form.set_path_choices(db.session.scalars(editor.all_paths()))
    return form


@bp.post("/tiers/<int:tier_id>/criteria")
@vendor_admin_required
def add_criterion(tier_id: int):
    tier = _tier(tier_id)
    form = _criterion_form()
    if form.validate_on_submit():
        with domain_action(form, "target") as outcome:
            services.add_criterion(current_user, tier, form.to_input())
            jobs.enqueue(EVALUATE_JOB, requested_by=current_user)  # the partners, by the new definition
        if outcome.ok:
            flash(f"{tier.name}'s criterion added; every partner is evaluated again.")
            return redirect(url_for("program.edit_tier", tier_id=tier.id) + "#criteria", 303)
    return _tier_page(tier, TierForm(obj=tier), _benefits_form(tier), 422, criterion_form=form)


@bp.post("/criteria/<int:criterion_id>/delete")
@vendor_admin_required
def delete_criterion(criterion_id: int):
    criterion = get_or_404(sa.select(Criterion), Criterion, criterion_id)
    tier_id = criterion.tier_id
    with domain_action():
        services.delete_criterion(current_user, criterion)
        jobs.enqueue(EVALUATE_JOB, requested_by=current_user)
    flash("Criterion removed; every partner is evaluated again.")
    return redirect(url_for("program.edit_tier", tier_id=tier_id) + "#criteria", 303)


# --- settings and exchange rates ------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
@vendor_admin_required
def settings():
    row = services.settings()
    form = SettingsForm(obj=row) if request.method == "GET" else SettingsForm()
    if request.method == "GET":
        form.promotions.data = row.promotions.value
    if form.validate_on_submit():
        with domain_action(form, "currency") as outcome:
            services.update_settings(current_user, form.to_input())
        if outcome.ok:
            flash("Program settings saved.")
            return redirect(url_for("program.settings"), 303)
    return _settings_page(form, _rate_form(), 422 if form.errors else 200)


def _rate_form() -> RateForm:
    return RateForm(prefix="rate")  # beside the settings' own currency field


def _settings_page(form: SettingsForm, rate_form: RateForm, status: int = 200):
    return render("program/settings.html", form=form, rate_form=rate_form, rates=services.exchange_rates(),
                  currency=services.settings().currency, status=status)


@bp.post("/rates")
@vendor_admin_required
def set_rate():
    form = _rate_form()
    if form.validate_on_submit():
        currency, rate = form.to_input()
        with domain_action(form, "rate") as outcome:
            services.set_exchange_rate(current_user, currency, rate)
        if outcome.ok:
            flash(f"Rate for {currency} saved.")
            return redirect(url_for("program.settings") + "#rates", 303)
    settings_form = SettingsForm(obj=services.settings())
    settings_form.promotions.data = services.settings().promotions.value
    return _settings_page(settings_form, form, 422)


@bp.post("/rates/<currency>/delete")
@vendor_admin_required
def delete_rate(currency: str):
    rate = db.session.scalar(sa.select(ExchangeRate).where(ExchangeRate.currency == currency.upper()[:3]))
    if rate is None:
        abort(404)
    with domain_action():
        services.delete_exchange_rate(current_user, rate)
    flash(f"Rate for {rate.currency} removed.")
    return redirect(url_for("program.settings") + "#rates", 303)
