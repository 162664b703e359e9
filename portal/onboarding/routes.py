"""/apply (public: the form, its confirmation link) and /applications (the vendor's vetting)."""
import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.core.access import public, vendor_admin_required, vendor_required
from portal.core.geography import COUNTRY_NAMES, region_of
from portal.core.models import Product, User
from portal.extensions import db
from portal.onboarding import bp, services
from portal.onboarding.forms import ApplyForm, DeclineForm, NoteForm, OwnerForm, RecruitmentForm
from portal.onboarding.models import Application, ApplicationStatus
from portal.web.actions import domain_action
from portal.web.htmx import render
from portal.web.pagination import paginate

# The pipeline's tabs: what each shows.
VIEWS = {"open": services.OPEN, "new": (ApplicationStatus.new,), "in_review": (ApplicationStatus.in_review,),
         "approved": (ApplicationStatus.approved,), "declined": (ApplicationStatus.declined,),
         "unconfirmed": services.UNCONFIRMED}


# --- applying (public) ---------------------------------------------------------------------------


def _apply_form() -> ApplyForm:
    form = ApplyForm()
    form.product_ids.choices = [SelectChoice(p.id, p.name) for p in db.session.scalars(
        sa.select(Product).order_by(Product.name))]
    return form


@bp.route("/apply", methods=["GET", "POST"])
@bp.route("/apply/confirm/<token>", methods=["GET", "POST"])
@public
def apply(token: str | None = None):
    """Become a partner: the form (whatever the domain, a valid application gets the same
    answer), "check your email" after it, and the emailed link that confirms it. The one
    public view of recruitment."""
    if token is not None:
        return _confirmation(token)
    if request.method == "GET" and "sent" in request.args:
        return render("onboarding/applied.html")
    form, status = _apply_form(), 200
    if form.validate_on_submit():
        if form.is_bot():
            return redirect(url_for("onboarding.apply", sent=1), 303)  # as if stored: nothing tells a bot
        with domain_action(form) as outcome:
            services.submit(form.to_input(), request.remote_addr or "")
        if outcome.ok:
            return redirect(url_for("onboarding.apply", sent=1), 303)
        status = 429 if isinstance(outcome.error, services.TooManyApplications) else 422
    elif form.is_submitted():
        status = 422
    return render("onboarding/apply.html", form=form, status=status, throttled=status == 429)


def _confirmation(token: str):
    """The link opens a page with one button: mail scanners that follow links never confirm
    anything (no state change on GET)."""
    application = services.application_for_token(token)
    if application is None:
        return render("onboarding/confirm.html", application=None, status=404)
    if request.method == "POST":
        with domain_action() as outcome:
            services.confirm(application)
        if not outcome.ok:
            return render("onboarding/confirm.html", application=application, status=409)
    return render("onboarding/confirm.html", application=application, token=token,
                  done=application.confirmed_at is not None)


# --- vetting (vendor) -----------------------------------------------------------------------------


@bp.get("/applications/")
@vendor_required
def applications():
    view = request.args.get("view", "open")
    if view not in VIEWS:
        abort(404)
    page = paginate(services.applications(VIEWS[view]), request.args.get("page", 1, type=int))
    counts = services.pipeline_counts()
    return render("onboarding/applications.html", "list", page=page, view=view, counts=counts,
                  tab_counts={name: sum(counts.get(s, 0) for s in statuses) for name, statuses in VIEWS.items()},
                  countries=COUNTRY_NAMES)


def _application(application_id: int) -> Application:
    return db.get_or_404(Application, application_id)


def _detail(application: Application, status: int = 200, owner_form=None, note_form=None, decline_form=None):
    owner_form = owner_form or OwnerForm(owner_id=application.owner_id)
    owner_form.owner_id.choices = [SelectChoice("", "— Choose —"),
                                   *(SelectChoice(u.id, u.name) for u in services.vetting_staff())]
    return render("onboarding/application.html", application=application, checks=services.checks(application),
                  country=COUNTRY_NAMES.get(application.country, application.country),
                  region=region_of(application.country), owner_form=owner_form, note_form=note_form or NoteForm(),
                  decline_form=decline_form or DeclineForm(), products=db.session.scalars(
                      sa.select(Product).where(Product.id.in_(application.product_ids or [])).order_by(Product.name)
                  ).all(), open=application.status in services.OPEN, status=status)


@bp.get("/applications/<int:application_id>")
@vendor_required
def application(application_id: int):
    return _detail(_application(application_id))


@bp.post("/applications/<int:application_id>/review")
@vendor_required
def start_review(application_id: int):
    application = _application(application_id)
    with domain_action():
        services.start_review(current_user, application)
    return redirect(url_for("onboarding.application", application_id=application.id), 303)


def _one_field(application: Application, name: str, form, act, done=None, anchor=None):
    """A form of one field on the application's page (`name`: owner, note, decline): on success
    back to the page (303), else the page again with the form's messages (422)."""
    if form.validate_on_submit():
        with domain_action(form) as outcome:
            act(form.to_input())
        if outcome.ok:
            if done:
                flash(done())
            return redirect(url_for("onboarding.application", application_id=application.id, _anchor=anchor), 303)
    return _detail(application, 422, **{f"{name}_form": form})


@bp.post("/applications/<int:application_id>/owner")
@vendor_required
def assign(application_id: int):
    application = _application(application_id)
    form = OwnerForm()
    form.owner_id.choices = [SelectChoice(u.id, u.name) for u in services.vetting_staff()]
    return _one_field(application, "owner", form,
                      lambda owner_id: services.assign(current_user, application, db.session.get(User, owner_id)),
                      lambda: f"{application.owner.name} owns this application.")


@bp.post("/applications/<int:application_id>/notes")
@vendor_required
def add_note(application_id: int):
    application = _application(application_id)
    return _one_field(application, "note", NoteForm(), lambda body: services.add_note(current_user, application, body),
                      anchor="notes")


@bp.post("/applications/<int:application_id>/approve")
@vendor_required
def approve(application_id: int):
    application = _application(application_id)
    with domain_action() as outcome:
        org = services.approve(current_user, application)
    if outcome.ok:
        flash(f"{org.name} is a partner now; {application.email} has an invitation to sign in.")
    return redirect(url_for("onboarding.application", application_id=application.id), 303)


@bp.post("/applications/<int:application_id>/decline")
@vendor_required
def decline(application_id: int):
    application = _application(application_id)
    return _one_field(application, "decline", DeclineForm(),
                      lambda reason: services.decline(current_user, application, reason),
                      lambda: f"Declined; {application.email} has been told, with your reason.")


@bp.route("/applications/settings", methods=["GET", "POST"])
@vendor_admin_required
def recruitment():
    row = services.settings()
    form = RecruitmentForm(data={"regions": row.regions, "partner_types": row.partner_types}
                           if request.method == "GET" else None)
    if form.validate_on_submit():
        with domain_action(form) as outcome:
            services.set_recruitment(current_user, *form.to_input())
        if outcome.ok:
            flash("Saved: the checks of every application use it now.")
            return redirect(url_for("onboarding.applications"), 303)
    return render("onboarding/settings.html", form=form, status=422 if form.errors else 200)
