"""The agreements' pages: the vendor's versions (list, drafts, publishing, who accepted), the
partner's current agreement with the admin's acceptance and the org's history, the
acceptance PDF, and the public verification page."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from portal.agreements import bp, pdfs, services
from portal.agreements.forms import AcceptForm, DraftForm, EditDraftForm, PublishForm
from portal.agreements.gate import FEATURES, standing_for
from portal.core.access import (
    partner_admin_required, partner_required, public, signed_in, vendor_admin_required, vendor_required,
)
from portal.core.models import PartnerType, Role
from portal.extensions import db
from portal.pdf import RenderFailed
from portal.storage import send_blob
from portal.web.actions import domain_action
from portal.web.htmx import render
from portal.web.pagination import paginate
from portal.web.urls import base_url


@bp.app_context_processor
def _agreement_notice():
    """The layout's notice (partner people only), read once per request when a page asks."""
    return {"agreement_notice": agreement_notice}


def agreement_notice():
    if not current_user.is_authenticated or current_user.is_vendor:
        return None
    standing = standing_for(current_user.org)
    return standing if standing.state in ("grace", "required") else None


# --- the vendor's side --------------------------------------------------------------------------


@bp.get("/")
@vendor_required
def index():
    agreements = db.session.scalars(services.agreements_for_vendor()).all()
    groups: dict = {}
    for agreement in agreements:
        groups.setdefault(agreement.partner_type, []).append(agreement)
    counts = services.accepted_counts()
    orgs = {ptype: services.partner_org_count(ptype) for ptype in groups}
    return render("agreements/index.html", groups=groups, counts=counts, orgs=orgs,
                  admin=current_user.role is Role.admin, types=[None, *PartnerType])


@bp.route("/new", methods=["GET", "POST"])
@vendor_admin_required
def new():
    form = DraftForm()
    if request.method == "GET":
        chosen = request.args.get("type", "")
        partner_type = PartnerType(chosen) if chosen in {t.value for t in PartnerType} else None
        form.partner_type.data = chosen if partner_type else ""
        if (latest := services.latest_version(partner_type)) is not None:  # the next version starts from it
            form.title.data, form.body.data = latest.title, latest.body
    if form.validate_on_submit():
        with domain_action(form, "title") as outcome:
            agreement = services.create_draft(current_user, form.to_input())
        if outcome.ok:
            flash(f"Draft v{agreement.version} saved. Publish it when it is ready.")
            return redirect(url_for("agreements.detail", agreement_id=agreement.id), 303)
    return render("agreements/new.html", form=form, status=422 if form.errors else 200)


@bp.get("/<int:agreement_id>")
@vendor_required
def detail(agreement_id: int):
    return _detail(services.get_agreement(agreement_id))


def _detail(agreement, publish_form=None, status: int = 200):
    page = paginate(services.acceptances_of(agreement), request.args.get("page", 1, type=int))
    return render("agreements/detail.html", "acceptances", agreement=agreement, page=page,
                  publish_form=publish_form or PublishForm(), admin=current_user.role is Role.admin,
                  orgs=services.partner_org_count(agreement.partner_type), status=status)


@bp.route("/<int:agreement_id>/edit", methods=["GET", "POST"])
@vendor_admin_required
def edit(agreement_id: int):
    agreement = services.get_agreement(agreement_id)
    if not agreement.is_draft:
        return _not_editable(agreement)
    form = EditDraftForm(obj=agreement) if request.method == "GET" else EditDraftForm()
    if form.validate_on_submit():
        with domain_action(form, "body") as outcome:
            services.update_draft(current_user, agreement, *form.to_input())
        if outcome.ok:
            flash(f"Draft v{agreement.version} saved.")
            return redirect(url_for("agreements.detail", agreement_id=agreement.id), 303)
        if isinstance(outcome.error, services.NotEditable):
            return _not_editable(services.get_agreement(agreement_id))
    return render("agreements/edit.html", form=form, agreement=agreement, status=422 if form.errors else 200)


def _not_editable(agreement):
    message = (f"Version {agreement.version} is {agreement.status.label.lower()}: a published agreement's text never "
               "changes, because partners accepted exactly that text. Write a new draft instead.")
    return render("agreements/not_editable.html", agreement=agreement, message=message, status=409)


@bp.post("/<int:agreement_id>/publish")
@vendor_admin_required
def publish(agreement_id: int):
    agreement = services.get_agreement(agreement_id)
    form = PublishForm()
    if not form.validate_on_submit():
        return _detail(agreement, form, 422)
    with domain_action() as outcome:
        services.publish(current_user, agreement, form.to_input())
    if outcome.ok:
        flash(f"Version {agreement.version} is published. Partner admins are asked to accept it"
              + (f"; orgs that accepted an earlier version have {agreement.grace_days} days." if agreement.grace_days
                 else "."))
    return redirect(url_for("agreements.detail", agreement_id=agreement_id), 303)


@bp.post("/<int:agreement_id>/delete")
@vendor_admin_required
def delete(agreement_id: int):
    agreement = services.get_agreement(agreement_id)
    version = agreement.version
    with domain_action() as outcome:
        services.delete_draft(current_user, agreement)
    if not outcome.ok:
        return redirect(url_for("agreements.detail", agreement_id=agreement_id), 303)
    flash(f"Draft v{version} deleted.")
    return redirect(url_for("agreements.index"), 303)


# --- the partner's side -------------------------------------------------------------------------


@bp.get("/current")
@partner_required
def current():
    return _current_page(AcceptForm())


def _current_page(form: AcceptForm, status: int = 200):
    org = current_user.org
    standing = standing_for(org)
    if standing.agreement is not None and not form.is_submitted():
        form.agreement_id.data = str(standing.agreement.id)
    blocked = FEATURES.get(request.args.get("blocked", ""))
    return render("agreements/current.html", org=org, standing=standing, form=form, blocked=blocked,
                  history=services.org_acceptances(org), admins=services.org_admins(org),
                  admin=current_user.role is Role.partner_admin, status=status)


@bp.post("/accept")
@partner_admin_required
def accept():
    form = AcceptForm()
    if form.validate_on_submit():
        with domain_action(form, "full_name") as outcome:
            acceptance = services.accept(current_user, form.to_input(), request.remote_addr or "")
        if outcome.ok:
            flash(f"Accepted: version {acceptance.version} of “{acceptance.agreement.title}”. Verification code "
                  f"{acceptance.code}.")
            return redirect(url_for("agreements.current"), 303)
        db.session.expire_all()
    return _current_page(form, 422)


@bp.get("/acceptances/<int:acceptance_id>.pdf")
@signed_in
def acceptance_pdf(acceptance_id: int):
    """The accepted agreement as a PDF: the org's own people and vendor staff; another org's is a 404."""
    acceptance = services.get_acceptance(current_user, acceptance_id)
    code = acceptance.code
    try:
        sha = pdfs.acceptance_pdf(acceptance, base_url())
    except RenderFailed as error:
        abort(503, description=str(error))
    db.session.commit()
    response = send_blob(sha, mimetype="application/pdf", etag=False, max_age=0, as_attachment=True,
                         download_name=f"agreement-{code}.pdf")
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


@bp.get("/verify/<code>")
@public
def verify(code: str):
    """The public check of an acceptance's code (printed on its PDF); an unknown code is a plain 404."""
    acceptance = services.verify(code)
    if acceptance is None:
        abort(404)
    response = render("agreements/verify.html", acceptance=acceptance, agreement=acceptance.agreement)
    response.headers["X-Robots-Tag"] = "noindex"
    return response
