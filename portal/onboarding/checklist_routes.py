"""Onboarding: the partner admin's checklist (its next step is on the program's room card),
the vendor's checklist editor, a custom step confirmed on a partner's behalf, and the recruitment cohorts."""
import sqlalchemy as sa
from flask import flash, redirect, request, url_for
from flask_login import current_user

from portal.core.access import (
    get_or_404, partner_admin_required, partners_visible_to, vendor_admin_required, vendor_required,
)
from portal.core.models import Organization
from portal.extensions import db
from portal.onboarding import bp, checklist, cohorts as cohort_report, services
from portal.onboarding.forms import StepForm
from portal.onboarding.models import ApplicationStatus, ChecklistStep, StepProgress
from portal.training import editor
from portal.web.actions import domain_action
from portal.web.htmx import render


@bp.get("/onboarding/")
@partner_admin_required
def progress():
    return render("onboarding/progress.html", progress=checklist.progress_of(current_user.org))


# --- the vendor -------------------------------------------------------------------------------------


def _step_form(formdata=None) -> StepForm:
    form = StepForm(formdata=formdata) if formdata is not None else StepForm()
    form.set_path_choices(db.session.scalars(editor.all_paths()))
    return form


def _checklists_page(form: StepForm, status: int = 200):
    return render("onboarding/checklists.html", checklists=checklist.checklists(), form=form,
                  title=checklist.step_title, status=status)


@bp.get("/onboarding/checklists")
@vendor_required
def checklists():
    return _checklists_page(_step_form())


@bp.post("/onboarding/checklists/steps")
@vendor_admin_required
def add_step():
    form = _step_form(request.form)
    if form.validate_on_submit():
        partner_type, data = form.to_input()
        with domain_action(form) as outcome:
            step = checklist.add_step(current_user, checklist.get_or_create_checklist(current_user, partner_type), data)
        if outcome.ok:
            flash(f"Step added: {checklist.step_title(step)}.")
            return redirect(url_for("onboarding.checklists"), 303)
    return _checklists_page(form, 422)


def _step(step_id: int) -> ChecklistStep:
    return db.get_or_404(ChecklistStep, step_id)


@bp.post("/onboarding/steps/<int:step_id>/delete")
@vendor_admin_required
def remove_step(step_id: int):
    step = _step(step_id)
    title = checklist.step_title(step)
    with domain_action() as outcome:
        checklist.remove_step(current_user, step)
    if outcome.ok:
        flash(f"Removed “{title}”; partners onboarding no longer need it.")
    return redirect(url_for("onboarding.checklists"), 303)


@bp.post("/onboarding/steps/<int:step_id>/move")
@vendor_admin_required
def move_step(step_id: int):
    with domain_action():
        checklist.move_step(current_user, _step(step_id), earlier=request.form.get("to") == "earlier")
    return redirect(url_for("onboarding.checklists", _anchor=f"step-{step_id}"), 303)


@bp.post("/onboarding/partners/<int:partner_id>/steps/<int:progress_id>/confirm")
@vendor_required
def confirm_step(partner_id: int, progress_id: int):
    org = get_or_404(partners_visible_to(current_user), Organization, partner_id)
    row = get_or_404(sa.select(StepProgress).where(StepProgress.org_id == org.id), StepProgress, progress_id)
    with domain_action() as outcome:
        checklist.confirm_step(current_user, org, row)
    if outcome.ok:
        flash(f"Confirmed “{checklist.step_title(row.step)}” for {org.name}.")
    return redirect(url_for("partners.detail", partner_id=org.id, _anchor="onboarding"), 303)


@bp.get("/onboarding/cohorts")
@vendor_required
def cohorts():
    rows, counts = cohort_report.cohorts(), services.pipeline_counts()
    confirmed = sum(n for status, n in counts.items() if status not in services.UNCONFIRMED)
    funnel = [("applied and confirmed their email", confirmed), ("approved", counts.get(ApplicationStatus.approved, 0)),
              ("registered a first deal", sum(c.with_first_deal for c in rows)),
              ("fully onboarded", sum(c.onboarded for c in rows))]
    return render("onboarding/cohorts.html", cohorts=rows, funnel=funnel)
