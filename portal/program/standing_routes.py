"""Where partners stand, for both sides: the partner's program page (standing, forecast,
what-if, evidence, history) and room card; the vendor's queue of tier changes, a partner's
standing, overrides and evidence confirmations."""
import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from portal import jobs
from portal.core import clock
from portal.core.access import (
    get_or_404, partner_admin_required, partner_required, partners_visible_to, vendor_admin_required, vendor_required,
)
from portal.core.models import Organization, Role
from portal.deals import services as deals
from portal.deals.models import Deal
from portal.extensions import db
from portal.onboarding import checklist
from portal.program import bp, evidence as evidence_rules, services, standing as standings, tiering
from portal.program.forms import DeclineForm, DeferForm, EvidenceForm, OverrideForm
from portal.program.models import Criterion, Evidence, TierChange
from portal.web.actions import domain_action
from portal.web.htmx import render
from portal.web.pagination import paginate
from portal.web.params import ids_in

EVALUATE_JOB = "program.evaluate"
bp.add_app_template_global(standings.what_is_missing, "what_is_missing")
bp.add_app_template_global(standings.money, "money_text")


@jobs.kind(EVALUATE_JOB)
def run_evaluation(job) -> dict:
    return {"summary": tiering.evaluate(job.requested_by).summary()}


# --- the partner's side ---------------------------------------------------------------------------


def _benefits(standing):
    grid = services.benefit_grid()
    return [(benefit, grid.get((standing.tier.id, benefit.id)) if standing.tier else None,
             grid.get((standing.next_tier.id, benefit.id)) if standing.next_tier else None)
            for benefit in services.benefits()]


@bp.get("/")
@partner_required
def index():
    org = current_user.org
    standing = standings.standing_of(org)
    admin = current_user.role is Role.partner_admin
    return render("program/standing.html", standing=standing, benefits=_benefits(standing), admin=admin,
                  history=db.session.scalars(tiering.history(org).limit(20)).all() if admin else [],
                  open_deals=db.session.scalars(deals.open_for_what_if(current_user).limit(50)).all() if admin else [],
                  evidence=evidence_rules.evidence_of(org) if admin else {}, evidence_form=_evidence_form)


def _evidence_form(criterion: Criterion) -> EvidenceForm:
    """One form per criterion on the page: the prefix keeps their fields' ids apart."""
    return EvidenceForm(prefix=f"evidence-{criterion.id}")


@bp.get("/forecast")
@partner_admin_required
def forecast():
    return render("program/_forecast.html", fall=standings.forecast(current_user.org))


@bp.get("/what-if")
@partner_admin_required
def what_if():
    """The tier the org would qualify for if the ticked open deals were won today."""
    wanted = ids_in(request.args.getlist("deal"))
    chosen = db.session.scalars(deals.open_for_what_if(current_user).where(Deal.id.in_(wanted))).all() if wanted \
        else []
    org = current_user.org
    standing = standings.standing_of(org, won_extra={org.id: [(d.amount, d.currency) for d in chosen]})
    return render("program/what_if.html", "result", standing=standing, chosen=chosen,
                  open_deals=db.session.scalars(deals.open_for_what_if(current_user).limit(50)).all())


@bp.get("/room-card")
@partner_required
def room_card():
    """The room's "Your program" card; while the org is onboarding, its admin also sees the
    checklist's next step there."""
    org = current_user.org
    onboarding = checklist.progress_of(org) if current_user.role is Role.partner_admin else None
    return render("program/room_card.html", "card", standing=standings.standing_of(org),
                  onboarding=onboarding if onboarding and not onboarding.complete else None)


@bp.post("/evidence/<int:criterion_id>")
@partner_admin_required
def submit_evidence(criterion_id: int):
    criterion = get_or_404(sa.select(Criterion), Criterion, criterion_id)
    form = _evidence_form(criterion)
    if form.validate_on_submit():
        with domain_action() as outcome:
            evidence_rules.submit(current_user, criterion, form.to_input())
        if outcome.ok:
            flash(f"Sent: “{criterion.name}”. The vendor confirms it.")
    return redirect(url_for("program.index") + "#evidence", 303)


# --- the vendor's side ----------------------------------------------------------------------------


@bp.get("/changes")
@vendor_required
def changes():
    queued = db.session.scalars(tiering.queue()).all()
    today = clock.now().date()
    page = paginate(tiering.history(), request.args.get("page", 1, type=int))
    return render("program/changes.html", "history", ready=[c for c in queued if tiering.ready_for_review(c, today)],
                  deferred=[c for c in queued if not tiering.ready_for_review(c, today)], page=page,
                  decline_form=_decline_form, defer_form=_defer_form)


# One of each per change on the queue's page: the prefixes keep their fields' ids apart.
def _decline_form(change_id: int) -> DeclineForm:
    return DeclineForm(prefix=f"decline-{change_id}")


def _defer_form(change_id: int) -> DeferForm:
    return DeferForm(prefix=f"defer-{change_id}")


@bp.post("/evaluate")
@vendor_admin_required
def evaluate():
    job = jobs.enqueue(EVALUATE_JOB, requested_by=current_user)
    db.session.commit()
    db.session.refresh(job)
    flash(f"Evaluated: {job.result['summary']}." if job.is_finished else "The evaluation has started; "
          "its changes appear here when it is done.")
    return redirect(url_for("program.changes"), 303)


def _change(change_id: int) -> TierChange:
    # Tier changes name partner orgs: only those the vendor user may see.
    return get_or_404(sa.select(TierChange).where(TierChange.org_id.in_(
        partners_visible_to(current_user).with_only_columns(Organization.id))), TierChange, change_id)


@bp.post("/changes/<int:change_id>/approve")
@vendor_required
def approve_change(change_id: int):
    change = _change(change_id)
    with domain_action() as outcome:
        tiering.approve(current_user, change)
    if outcome.ok:
        flash(f"{change.org.name} is now {change.to_tier_name}.")
    return redirect(url_for("program.changes"), 303)


@bp.post("/changes/<int:change_id>/decline")
@vendor_required
def decline_change(change_id: int):
    return _decide_on(_change(change_id), _decline_form(change_id), tiering.decline,
                      lambda change: f"Promotion of {change.org.name} declined.")


@bp.post("/changes/<int:change_id>/defer")
@vendor_required
def defer_change(change_id: int):
    return _decide_on(_change(change_id), _defer_form(change_id), tiering.defer,
                      lambda change: f"Promotion of {change.org.name} deferred to "
                                     f"{clock.as_text(change.deferred_until)}.")


def _decide_on(change: TierChange, form, decide, done) -> object:
    """A decision with one field (a reason, a date) from the queue's page: it flashes what
    happened, or what is wrong with the field, and goes back to the queue."""
    if form.validate_on_submit():
        with domain_action() as outcome:
            decide(current_user, change, form.to_input())
        if outcome.ok:
            flash(done(change))
    else:
        flash(" ".join(error for errors in form.errors.values() for error in errors), "error")
    return redirect(url_for("program.changes"), 303)


def _partner(partner_id: int) -> Organization:
    return get_or_404(partners_visible_to(current_user), Organization, partner_id)


@bp.get("/partners/<int:partner_id>")
@vendor_required
def partner(partner_id: int):
    return _partner_page(_partner(partner_id), OverrideForm(tier=None))


def _partner_page(org: Organization, form: OverrideForm, status: int = 200):
    standing = standings.standing_of(org)
    if not form.tier.data and org.tier:
        form.tier.data = org.tier.key
    return render("program/partner.html", standing=standing, benefits=_benefits(standing), form=form,
                  history=db.session.scalars(tiering.history(org).limit(20)).all(),
                  evidence=evidence_rules.evidence_of(org), fall=standings.forecast(org),
                  admin=current_user.role is Role.admin, status=status)


@bp.post("/partners/<int:partner_id>/override")
@vendor_admin_required
def override(partner_id: int):
    org = _partner(partner_id)
    form = OverrideForm()
    if form.validate_on_submit():
        tier, reason, pinned_until = form.to_input()
        with domain_action(form, "reason") as outcome:
            tiering.override(current_user, org, tier, reason, pinned_until)
        if outcome.ok:
            flash(f"{org.name} is {tier.name}" + (f", pinned until {clock.as_text(pinned_until)}." if pinned_until
                                                   else "."))
            return redirect(url_for("program.partner", partner_id=org.id), 303)
    return _partner_page(org, form, 422)


@bp.post("/partners/<int:partner_id>/evidence/<int:evidence_id>/confirm")
@vendor_required
def confirm_evidence(partner_id: int, evidence_id: int):
    org = _partner(partner_id)
    item = get_or_404(sa.select(Evidence).where(Evidence.org_id == org.id), Evidence, evidence_id)
    with domain_action() as outcome:
        evidence_rules.confirm(current_user, item)
    if outcome.ok:
        flash(f"Confirmed “{item.criterion.name}” for {org.name}; the next evaluation counts it.")
    return redirect(url_for("program.partner", partner_id=org.id), 303)


@bp.get("/evidence/<int:evidence_id>/file")
@vendor_required
def evidence_file(evidence_id: int):
    item = get_or_404(sa.select(Evidence).where(Evidence.org_id.in_(
        partners_visible_to(current_user).with_only_columns(Organization.id))), Evidence, evidence_id)
    if not item.file_sha256:
        abort(404)
    return evidence_rules.send_file(item)
