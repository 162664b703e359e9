"""Co-branded collateral pages, on the cobrand blueprint: partners pick a template, watch
the live preview while they type, make the PDF and download it; vendor staff manage
templates (admins edit them), preview them with the sample kit and see who co-brands what."""
import re
import unicodedata
from dataclasses import replace

from flask import abort, flash, make_response, redirect, request, url_for
from flask_login import current_user

from portal import jobs
from portal import pdf as renderer
from portal.agreements.gate import agreement_required
from portal.cobrand import bp, collateral, pdfs, services
from portal.cobrand.designs import SlotValues, design_problems, document
from portal.cobrand.forms import CobrandForm, TemplateForm
from portal.cobrand.models import ActivityKind, CobrandTemplate, CobrandedPdf, TemplateVersion
from portal.core.access import partner_required, signed_in, vendor_admin_required, vendor_required
from portal.core.database import end_transaction, reads_only
from portal.core.models import Persona
from portal.extensions import db
from portal.storage import current_store, send_blob
from portal.web.actions import domain_action
from portal.web.htmx import is_partial, render
from portal.web.pagination import paginate
from portal.web.params import bounded_id, persona_or_404

# The preview is the vendor's design: its own CSS inline, shown in a frame of our pages.
# Sandboxed without scripts, so nothing in it can run; it loads only our own files.
PREVIEW_CSP = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; font-src 'self'; "
               "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox allow-same-origin")
THUMBNAIL_MAX_AGE = 86400  # a version's thumbnail never changes; its URL names the version
ROOM_TEMPLATES = 4


def _page_number() -> int:
    return request.args.get("page", 1, type=int)


# --- choosing a template ----------------------------------------------------------------------


@bp.get("/co-brand")
@signed_in
def templates():
    page = paginate(collateral.with_listing(collateral.templates_for(current_user)), _page_number())
    context = {"page": page}
    if current_user.is_vendor:
        context["totals"] = collateral.template_totals()
    else:
        org = current_user.org
        context.update(kit=services.kit_for(org), kit_checks=services.brand_checks(services.kit_for(org)),
                       may_edit_kit=services.may_edit(current_user, org))
    return render("cobrand/templates.html", "template_cards", **context)


@bp.get("/rooms/<persona>/co-brand")
@signed_in
def room_widget(persona: str):
    """The marketing room's co-branding card, loaded after the room."""
    persona = persona_or_404(persona)
    if persona is not Persona.marketing:
        abort(404)
    stmt = collateral.with_listing(collateral.templates_for(current_user, persona)).limit(ROOM_TEMPLATES + 1)
    shown = db.session.scalars(stmt).all()
    return render("cobrand/room_widget.html", "widget", persona=persona, shown=shown[:ROOM_TEMPLATES],
                  more=len(shown) > ROOM_TEMPLATES)


# --- one template: partners co-brand it, vendors look after it ---------------------------------


@bp.get("/co-brand/<int:template_id>")
@signed_in
def template(template_id: int):
    template = collateral.get_template(current_user, template_id)
    if current_user.is_vendor:
        return _vendor_page(template)
    version = template.current
    form = CobrandForm(formdata=request.args if request.args else None, limits=version.slot_limits)
    if request.args:
        form.validate()
    return _partner_page(template, form, block="preview" if request.args and is_partial() else None)


def _partner_page(template: CobrandTemplate, form: CobrandForm, status: int = 200, block=None, **extra):
    version = template.current
    org = current_user.org
    kit = services.kit_for(org)
    typed = form.to_input(valid_only=True)
    problems = collateral.problems(collateral.design_of(version), kit, typed)
    preview_args = {name: value for name, value in typed.fields().items() if value}
    return render("cobrand/template.html", block, status=status, tpl=template, version=version, form=form,
                  kit=kit, org=org, problems=problems, kit_blocked=any(p.fix == "kit" for p in problems),
                  may_edit_kit=services.may_edit(current_user, org),
                  preview_url=url_for("cobrand.preview_document", template_id=template.id, **preview_args),
                  recent=collateral.recent_pdfs(current_user, template), **extra)


def _vendor_page(template: CobrandTemplate):
    versions = template.versions
    wanted = request.args.get("v", type=bounded_id)
    shown = next((v for v in versions if v.number == wanted), template.current)
    return render("cobrand/template_vendor.html", tpl=template, shown=shown, versions=versions,
                  pdf_counts=collateral.version_pdf_counts(template),
                  partners=db.session.execute(collateral.activity_by_partner(template.id).limit(10)).all(),
                  preview_url=url_for("cobrand.preview_document", template_id=template.id, v=shown.number))


@bp.get("/co-brand/<int:template_id>/preview")
@signed_in
def preview_document(template_id: int):
    """The preview, as the document the PDF is made from (with browser URLs): the partner's
    kit and typed text, or for vendor staff the sample kit (any version, with ?v=)."""
    template = collateral.get_template(current_user, template_id)
    version = _version(template, request.args.get("v", type=bounded_id))
    form = CobrandForm(formdata=request.args, limits=version.slot_limits, meta={"csrf": False})
    form.validate()
    typed = form.to_input(valid_only=True)
    if current_user.is_vendor:
        values = _sample_values(typed)
    else:
        kit = services.kit_for(current_user.org)
        logo = url_for("cobrand.logo", partner_id=kit.org_id, v=kit.logo_sha256[:16]) if kit.logo_sha256 else None
        values = collateral.slot_values(kit, typed, logo)
    return _preview_response(document(collateral.design_of(version), values, title=template.title,
                                      static_url=lambda name: url_for("static", filename=name)))


def _sample_values(typed: collateral.Typed | None = None) -> SlotValues:
    """The sample kit with browser URLs (and the text typed, if any)."""
    values = replace(collateral.SAMPLE_VALUES, logo_url=url_for("static", filename=collateral.SAMPLE_LOGO))
    if typed is not None and (typed.custom_message or typed.offer):
        values = replace(values, custom_message=typed.custom_message, offer=typed.offer)
    return values


def _version(template: CobrandTemplate, number: int | None) -> TemplateVersion:
    """The current version; vendor staff may ask for any."""
    if number is None or not current_user.is_vendor:
        return template.current
    version = next((v for v in template.versions if v.number == number), None)
    if version is None:
        abort(404)
    return version


def _preview_response(html: str):
    response = make_response(html)
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


@bp.get("/co-brand/<int:template_id>/thumbnail/<int:number>")
@signed_in
def thumbnail(template_id: int, number: int):
    template = collateral.get_template(current_user, template_id)
    version = _version(template, number)
    if version.number != number or not version.thumbnail_sha256:
        abort(404)
    response = send_blob(version.thumbnail_sha256, mimetype="image/png", max_age=THUMBNAIL_MAX_AGE,
                         etag=version.thumbnail_sha256)
    response.cache_control.private = True
    return response


# --- making and downloading the PDF ------------------------------------------------------------


@bp.post("/co-brand/<int:template_id>/pdf")
@partner_required
@agreement_required("cobrand")
def create_pdf(template_id: int):
    """Make the partner's PDF, or find the same one in the cache; answers the result block:
    the PDF, or (rendering on a worker) a progress block that polls the job."""
    template = collateral.get_template(current_user, template_id)
    form = CobrandForm(limits=template.current.slot_limits)
    if not form.validate_on_submit():
        return _partner_page(template, form, status=422, block="editor")
    try:
        outcome = pdfs.request_pdf(current_user, template, form.to_input())
    except pdfs.NotReady:
        return _partner_page(template, form, status=422, block=["editor", "preview"], preview_oob=True)
    db.session.commit()  # without a queue, the render job runs here
    if isinstance(outcome, pdfs.Made):
        return _made_page(template, form, made=outcome.pdf, from_cache=True)
    if outcome.status is jobs.JobStatus.failed:
        return _partner_page(template, form, status=422, block="editor", render_error=outcome.error)
    return _made_page(template, form, job=outcome, made=pdfs.made_by(outcome),
                      from_cache=bool(outcome.result and outcome.result["from_cache"]))


def _made_page(template: CobrandTemplate, form: CobrandForm, **made):
    """The editor with the text just used, and the PDF (or its job) below it."""
    fresh = CobrandForm(formdata=None, data=form.to_input().fields(), limits=template.current.slot_limits)
    return _partner_page(template, fresh, block="editor", **made)


@bp.get("/co-brand/pdf-jobs/<int:job_id>")
@partner_required
def pdf_job(job_id: int):
    """Where a PDF being made stands: polled by its progress block until it is ready or failed."""
    job = jobs.get_requested(current_user, pdfs.RENDER_JOB, job_id)
    made = pdfs.made_by(job)
    return render("cobrand/pdf_job.html", "job", job=job, made=made,
                  from_cache=bool(made and job.result["from_cache"]))


@bp.post("/co-brand/pdfs/<int:pdf_id>/download")
@signed_in
def download(pdf_id: int):
    pdf = collateral.get_pdf(current_user, pdf_id)
    if not current_store().exists(pdf.sha256):
        abort(404)
    collateral.record(current_user, pdf, ActivityKind.downloaded)
    db.session.commit()
    response = send_blob(pdf.sha256, mimetype="application/pdf", as_attachment=True, download_name=_filename(pdf),
                         etag=pdf.sha256, max_age=0)
    response.cache_control.private = True
    return response


def _filename(pdf: CobrandedPdf) -> str:
    return f"{_slug(pdf.template.title)}-{_slug(pdf.org.name)}.pdf"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()[:60] or "co-branded"


# --- vendor: editing templates -----------------------------------------------------------------


def _template_form(template: CobrandTemplate | None = None) -> TemplateForm:
    form = TemplateForm()
    form.audience.set_org_choices(current_user)
    if template is not None and not form.is_submitted():
        form.fill_from(template)
    return form


@bp.route("/co-brand/new", methods=["GET", "POST"])
@vendor_admin_required
def new_template():
    return _edit(None)


@bp.route("/co-brand/<int:template_id>/edit", methods=["GET", "POST"])
@vendor_admin_required
def edit_template(template_id: int):
    return _edit(collateral.get_template(current_user, template_id))


def _edit(template: CobrandTemplate | None):
    form = _template_form(template)
    if not form.is_submitted():
        return _editor_page(form, template)
    valid = form.validate()  # first: validating clears field errors, such as read_uploads' ones
    if not (form.read_uploads() and valid):
        return _editor_page(form, template, status=422)
    data = form.to_input()
    sample = None
    if collateral.design_changed(template, data.design):
        end_transaction()  # rendering the sample takes a moment
        try:
            sample = collateral.sample_render(data.design, data.title)
        except collateral.DesignRejected as rejected:
            for name, messages in rejected.problems.items():
                getattr(form, name).errors = [*getattr(form, name).errors, *messages]
            return _editor_page(form, _reload(template), status=422)
    with domain_action():
        template = collateral.save_template(current_user, _reload(template), data, sample)
    if not template.is_live:
        flash("Saved as a draft: partners see it once you publish it.")
    else:
        flash(f"Saved. Partners now get version {template.version}." if sample else "Saved.")
    return redirect(url_for("cobrand.template", template_id=template.id), 303)


def _reload(template: CobrandTemplate | None) -> CobrandTemplate | None:
    return None if template is None else db.session.get(CobrandTemplate, template.id)


def _editor_page(form: TemplateForm, template: CobrandTemplate | None, status: int = 200):
    preview_url = (url_for("cobrand.preview_document", template_id=template.id, v=template.version)
                   if template is not None else None)
    return render("cobrand/template_form.html", status=status, form=form, tpl=template, preview_url=preview_url)


@bp.post("/co-brand/design-preview")
@vendor_admin_required
@reads_only
def design_preview():
    """The editor's "Preview" button posts the form here, into the preview frame: the unsaved
    design with the sample kit, or the list of what to fix."""
    form = _template_form()
    form.read_uploads()
    design = form.design()
    problems = design_problems(design)
    if problems:
        html = render("cobrand/design_problems.html", problems=problems).get_data(as_text=True)
        return _preview_response(html)
    return _preview_response(document(design, _sample_values(), title=form.title.data or "Preview",
                                      static_url=lambda name: url_for("static", filename=name)))


@bp.get("/co-brand/<int:template_id>/sample.pdf")
@vendor_required
def sample_pdf(template_id: int):
    """The real PDF of a version with the sample kit: what partners' PDFs will look like."""
    template = collateral.get_template(current_user, template_id)
    version = _version(template, request.args.get("v", type=bounded_id))
    design, title = collateral.design_of(version), template.title
    end_transaction()
    try:
        data = collateral.render(design, collateral.SAMPLE_VALUES, title)
    except renderer.RenderFailed as error:
        flash(f"The sample PDF could not be made: {error}")
        return redirect(url_for("cobrand.template", template_id=template_id), 303)
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{_slug(title)}-v{version.number}-sample.pdf"'
    response.cache_control.private = True
    return response


@bp.post("/co-brand/<int:template_id>/live")
@vendor_admin_required
def set_live(template_id: int):
    template = collateral.get_template(current_user, template_id)
    live = request.form.get("live") == "1"
    with domain_action():
        changed = collateral.set_live(current_user, template, live)
    if changed:
        flash("Published: partners in its audience can co-brand it." if live else
              "Unpublished: it is a draft again and partners no longer see it. PDFs they made stay downloadable.")
    return redirect(url_for("cobrand.template", template_id=template.id), 303)


@bp.get("/co-brand/activity")
@vendor_required
def activity():
    template_id = request.args.get("template", type=bounded_id)
    page = paginate(collateral.activity_by_partner(template_id), _page_number(), rows=True)
    all_templates = db.session.scalars(collateral.templates_for(current_user)).all()
    return render("cobrand/activity.html", "rows", page=page, templates=all_templates, template_id=template_id)
